using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.OpenAIChat;

public sealed class OpenAIChatTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Decodes_request_with_images_parallel_tool_calls_and_results()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat);

        Assert.Equal("gpt-4o-2024-08-06", ir.Model);
        Assert.Equal(["You are a helpful weather assistant."], ir.System.ToArray());
        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool, IrRole.Assistant, IrRole.User], ir.Messages.Select(m => m.Role));

        var images = ir.Messages[0].Parts.OfType<IrImage>().ToList();
        Assert.Equal("image/png", images[0].MediaType);
        Assert.StartsWith("iVBORw0KGgo", images[0].Base64Data, StringComparison.Ordinal);
        Assert.Equal("https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg", images[1].Url);

        var calls = ir.Messages[1].Parts.OfType<IrToolCall>().ToList();
        Assert.Equal(["call_abc123", "call_def456"], calls.Select(c => c.Id));
        Assert.Equal("""{"location":"Paris, France","unit":"celsius"}""", calls[0].ArgumentsJson);

        var results = ir.Messages[2].Parts.OfType<IrToolResult>().ToList();
        Assert.Equal(["call_abc123", "call_def456"], results.Select(r => r.ToolCallId));
        Assert.Equal("""{"temperature":24,"condition":"sunny"}""", results[1].JoinedText());

        var tool = Assert.Single(ir.Tools);
        Assert.Equal("get_weather", tool.Name);
        Assert.Contains("\"additionalProperties\": false", tool.ParametersJson, StringComparison.Ordinal);
        Assert.Equal(IrToolChoiceKind.Auto, ir.ToolChoice!.Kind);
        Assert.Equal(1024, ir.Params.MaxTokens);
        Assert.Equal(0.7, ir.Params.Temperature);
        Assert.Equal(0.9, ir.Params.TopP);
        Assert.Equal(["\n\nUser:"], ir.Params.Stop.ToArray());
        Assert.Equal(42, ir.Params.Seed);
        Assert.True(ir.Stream);
        Assert.True(ir.StreamIncludeUsage);
        Assert.True(ir.ParallelToolCalls);
        Assert.Equal("user-1234", ir.User);
    }

    [Fact]
    public void Decodes_reasoning_effort_schema_and_specific_tool_choice()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("openai/request_reasoning.json"), Dialect.OpenAIChat);
        Assert.Equal(["Answer in JSON."], ir.System.ToArray());
        Assert.Equal("high", ir.Params.Reasoning!.Effort);
        Assert.Equal(IrResponseFormatKind.JsonSchema, ir.Params.ResponseFormat!.Kind);
        Assert.Equal("primes", ir.Params.ResponseFormat.Name);
        Assert.True(ir.Params.ResponseFormat.Strict);
        Assert.Equal(new IrToolChoice(IrToolChoiceKind.Specific, "get_weather"), ir.ToolChoice);

        var back = JsonDocument.Parse(T.EncodeRequest(ir, Dialect.OpenAIChat)).RootElement;
        Assert.Equal("high", back.GetProperty("reasoning_effort").GetString());
        Assert.Equal(4000, back.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal("get_weather", back.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("integer", back.GetProperty("response_format").GetProperty("json_schema").GetProperty("schema")
            .GetProperty("properties").GetProperty("primes").GetProperty("items").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("openai/request_tools.json")]
    [InlineData("openai/request_reasoning.json")]
    public void Request_round_trip_is_equivalent(string fixture)
    {
        var ir = T.DecodeRequest(Fixture.Bytes(fixture), Dialect.OpenAIChat);
        var again = T.DecodeRequest(T.EncodeRequest(ir, Dialect.OpenAIChat), Dialect.OpenAIChat);
        Assert.Equal(IrDump.Conversation(ir), IrDump.Conversation(again));
        Assert.Equal(ir.Params with { Stop = [] }, again.Params with { Stop = [] });
        Assert.Equal(ir.Params.Stop.ToArray(), again.Params.Stop.ToArray());
        Assert.Equal(ir.ToolChoice, again.ToolChoice);
    }

    [Fact]
    public void Encoded_request_has_the_documented_shape()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat);
        var root = JsonDocument.Parse(T.EncodeRequest(ir, Dialect.OpenAIChat)).RootElement;
        var msgs = root.GetProperty("messages");
        Assert.Equal("system", msgs[0].GetProperty("role").GetString());
        Assert.Equal("image_url", msgs[1].GetProperty("content")[1].GetProperty("type").GetString());
        Assert.StartsWith("data:image/png;base64,", msgs[1].GetProperty("content")[1].GetProperty("image_url").GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, msgs[2].GetProperty("content").ValueKind);
        Assert.Equal("tool", msgs[3].GetProperty("role").GetString());
        Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public void Decodes_and_round_trips_responses()
    {
        var ir = T.DecodeResponse(Fixture.Bytes("openai/response_tools.json"), Dialect.OpenAIChat);
        Assert.Equal(IrFinishReason.ToolCalls, ir.FinishReason);
        Assert.Equal(new IrUsage(82, 47, 64, 0), ir.Usage);
        Assert.Equal(2, ir.Parts.OfType<IrToolCall>().Count());

        var again = T.DecodeResponse(T.EncodeResponse(ir, Dialect.OpenAIChat), Dialect.OpenAIChat);
        Assert.Equal(IrDump.Parts(ir.Parts), IrDump.Parts(again.Parts));
        Assert.Equal(ir.Usage, again.Usage);
        Assert.Equal(ir.FinishReason, again.FinishReason);

        var text = T.DecodeResponse(Fixture.Bytes("openai/response_text.json"), Dialect.OpenAIChat);
        Assert.Equal(IrFinishReason.MaxTokens, text.FinishReason);
        Assert.Equal("Hello! How can I assist you today?", IrPartText.Join(text.Parts));
    }

    [Fact]
    public void Decodes_stream_with_parallel_tool_call_fragments_and_final_usage()
    {
        var s = StreamSummary.Of(Dialect.OpenAIChat, Fixture.Bytes("openai/stream_tools.sse"));
        Assert.Equal("Let me check both cities.", s.Text);
        Assert.Equal(2, s.ToolCalls.Count);
        Assert.Equal(("call_abc123", "get_weather"), (s.ToolCalls[0].Id, s.ToolCalls[0].Name));
        StreamSummary.AssertSameArgs("""{"location":"Paris, France"}""", s.ToolCalls[0].Args);
        StreamSummary.AssertSameArgs("""{"location":"Tokyo, Japan"}""", s.ToolCalls[1].Args);
        Assert.Equal(IrFinishReason.ToolCalls, s.Finish);
        Assert.Equal(new IrUsage(82, 47, 64, 0), s.Usage);
        Assert.True(s.Ended);
    }

    [Fact]
    public void Stream_encoder_emits_role_first_finish_then_usage_then_done()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.OpenAIChat, Dialect.OpenAIChat, Fixture.Bytes("openai/stream_tools.sse")));
        var events = output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.Contains("\"role\":\"assistant\"", events[0], StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"tool_calls\"", events[^3], StringComparison.Ordinal);
        Assert.Contains("\"choices\":[],\"usage\":{\"prompt_tokens\":82", events[^2], StringComparison.Ordinal);
        Assert.All(events[..^1], e => Assert.Contains("\"model\":\"client-model\"", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Usage_chunk_is_omitted_when_client_did_not_ask()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Anthropic, Dialect.OpenAIChat,
            Fixture.Bytes("anthropic/stream_text.sse"), ctx: new StreamContext { IncludeUsage = false }));
        Assert.DoesNotContain("\"usage\"", output, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_functions_and_function_call_are_understood()
    {
        var body = """
            {"model":"gpt-3.5-turbo-0613","messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}},
              {"role":"function","name":"get_weather","content":"{\"temperature\":18}"},
              {"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":"{\"location\":\"Rome\"}"}},
              {"role":"function","name":"get_weather","content":"{\"temperature\":25}"}],
             "functions":[{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}],
             "function_call":{"name":"get_weather"}}
            """u8.ToArray();
        var ir = T.DecodeRequest(body, Dialect.OpenAIChat);
        Assert.Equal("get_weather", Assert.Single(ir.Tools).Name);
        Assert.Equal(new IrToolChoice(IrToolChoiceKind.Specific, "get_weather"), ir.ToolChoice);
        var calls = ir.Messages.SelectMany(m => m.Parts.OfType<IrToolCall>()).ToList();
        var results = ir.Messages.SelectMany(m => m.Parts.OfType<IrToolResult>()).ToList();
        Assert.Equal(2, calls.Count);
        Assert.NotEqual(calls[0].Id, calls[1].Id);
        Assert.Equal(calls.Select(c => c.Id), results.Select(r => r.ToolCallId));

        // and it reaches Anthropic as ordinary tool_use / tool_result pairs
        var anthropic = JsonDocument.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Anthropic)).RootElement;
        Assert.Equal(calls[1].Id, anthropic.GetProperty("messages")[4].GetProperty("content")[0].GetProperty("tool_use_id").GetString());
    }
}
