using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.OpenAIResponses;

public sealed class ResponsesTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Decodes_input_items_into_turns()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("responses/request_tools.json"), Dialect.OpenAIResponses);
        Assert.Equal(["You are a helpful weather assistant."], ir.System.ToArray());
        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool, IrRole.User], ir.Messages.Select(m => m.Role));
        var assistant = ir.Messages[1].Parts;
        var reasoning = Assert.IsType<IrReasoning>(assistant[0]);
        Assert.Equal("gAAAAABor0Aw8yJxv2qK_encrypted_blob", reasoning.Signature);
        Assert.Equal(2, assistant.OfType<IrToolCall>().Count());
        Assert.Equal("medium", ir.Params.Reasoning!.Effort);
        Assert.Equal(2048, ir.Params.MaxTokens);
        Assert.Single(ir.Tools);
    }

    [Fact]
    public void Encrypted_reasoning_survives_a_request_round_trip()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("responses/request_tools.json"), Dialect.OpenAIResponses);
        var bytes = T.EncodeRequest(ir, Dialect.OpenAIResponses);
        var again = T.DecodeRequest(bytes, Dialect.OpenAIResponses);
        Assert.Equal(IrDump.Conversation(ir), IrDump.Conversation(again));
        var root = JsonDocument.Parse(bytes).RootElement;
        var types = root.GetProperty("input").EnumerateArray().Select(i => i.GetProperty("type").GetString()).ToList();
        Assert.Equal(["message", "reasoning", "message", "function_call", "function_call", "function_call_output", "function_call_output", "message"], types);
        Assert.Equal("reasoning.encrypted_content", root.GetProperty("include")[0].GetString());
    }

    [Fact]
    public void Decodes_response_with_reasoning_usage()
    {
        var ir = T.DecodeResponse(Fixture.Bytes("responses/response_tools.json"), Dialect.OpenAIResponses);
        Assert.Equal(IrFinishReason.ToolCalls, ir.FinishReason);
        Assert.Equal(new IrUsage(82, 47, 64, 17), ir.Usage);
        var again = T.DecodeResponse(T.EncodeResponse(ir, Dialect.OpenAIResponses), Dialect.OpenAIResponses);
        Assert.Equal(IrDump.Parts(ir.Parts), IrDump.Parts(again.Parts));
        Assert.Equal(ir.Usage, again.Usage);
    }

    [Fact]
    public void Anthropic_stream_becomes_a_complete_responses_event_sequence()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Anthropic, Dialect.OpenAIResponses, Fixture.Bytes("anthropic/stream_tools.sse")));
        var events = Anthropic.AnthropicTests.SseEvents(output);
        Assert.Equal("response.created", events[0].Event);
        Assert.Equal("response.in_progress", events[1].Event);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        Assert.All(events, e => Assert.Equal(e.Event, e.Data.GetProperty("type").GetString()));

        var added = events.Where(e => e.Event == "response.output_item.added").Select(e => e.Data.GetProperty("item").GetProperty("type").GetString());
        Assert.Equal(["reasoning", "message", "function_call", "function_call"], added);
        var done = events.Where(e => e.Event == "response.output_item.done").Select(e => e.Data.GetProperty("item")).ToList();
        // Tagged with its origin (Anthropic) for the replay (docs/translation.md, history rules).
        Assert.Equal("bG14YW50EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", done[0].GetProperty("encrypted_content").GetString());
        Assert.Equal("""{"location": "Paris, France"}""", done[2].GetProperty("arguments").GetString());

        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(4, completed.GetProperty("output").GetArrayLength());
        Assert.Equal(82, completed.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(64, completed.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public void Max_tokens_finish_gives_response_incomplete()
    {
        var stream = Fixture.Text("anthropic/stream_text.sse").Replace("\"stop_reason\":\"end_turn\"", "\"stop_reason\":\"max_tokens\"", StringComparison.Ordinal);
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Anthropic, Dialect.OpenAIResponses, Encoding.UTF8.GetBytes(stream)));
        var last = Anthropic.AnthropicTests.SseEvents(output)[^1];
        Assert.Equal("response.incomplete", last.Event);
        Assert.Equal("max_output_tokens", last.Data.GetProperty("response").GetProperty("incomplete_details").GetProperty("reason").GetString());
    }
}
