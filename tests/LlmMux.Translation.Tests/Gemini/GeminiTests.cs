using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.Gemini;

public sealed class GeminiTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Decodes_request_pairing_unnamed_calls_with_responses()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("gemini/request_tools.json"), Dialect.Gemini);
        Assert.Null(ir.Model);
        Assert.Equal(["You are a helpful weather assistant."], ir.System.ToArray());
        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool, IrRole.User], ir.Messages.Select(m => m.Role));

        var calls = ir.Messages[1].Parts.OfType<IrToolCall>().ToList();
        Assert.Equal("CiQBcsjafBbPUkzQ8kX2hYLNLoBzkK+Tj5zE+ZdG1aRx0Q==", calls[0].Signature);
        var results = ir.Messages[2].Parts.OfType<IrToolResult>().ToList();
        Assert.Equal(calls.Select(c => c.Id), results.Select(r => r.ToolCallId));
        Assert.Equal("get_weather", results[0].Name);
        Assert.True(results[1].IsError);
        Assert.Equal("Service unavailable for Tokyo", results[1].JoinedText());

        // OpenAPI-style upper-case types become JSON Schema types; nothing else changes.
        Assert.Equal(IrDump.Json("""{"type":"object","properties":{"location":{"type":"string","description":"The city and country, e.g. San Francisco, USA"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}"""),
            IrDump.Json(Assert.Single(ir.Tools).ParametersJson));
        Assert.Equal(4096, ir.Params.Reasoning!.BudgetTokens);
        Assert.Equal(40, ir.Params.TopK);
        Assert.Equal(7, ir.Params.Seed);
    }

    [Fact]
    public void Code_assist_envelope_carries_model_and_project()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("gemini/codeassist_request_tools.json"), Dialect.GeminiCodeAssist);
        Assert.Equal("gemini-2.5-pro", ir.Model);

        var bytes = T.TranslateRequest(Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat, Dialect.GeminiCodeAssist,
            new RequestOverrides { Model = "gemini-2.5-flash", CodeAssistProject = "proj-9" });
        var root = JsonDocument.Parse(bytes).RootElement;
        Assert.Equal("gemini-2.5-flash", root.GetProperty("model").GetString());
        Assert.Equal("proj-9", root.GetProperty("project").GetString());
        Assert.True(root.GetProperty("request").TryGetProperty("contents", out _));
    }

    [Fact]
    public void Encodes_openai_history_as_gemini_contents()
    {
        var bytes = T.TranslateRequest(Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat, Dialect.Gemini, new RequestOverrides { Model = "gemini-3-pro-preview" });
        var root = JsonDocument.Parse(bytes).RootElement;
        var contents = root.GetProperty("contents");
        Assert.Equal(["user", "model", "user", "model", "user"], contents.EnumerateArray().Select(c => c.GetProperty("role").GetString()));
        Assert.Equal("image/png", contents[0].GetProperty("parts")[1].GetProperty("inlineData").GetProperty("mimeType").GetString());
        Assert.Equal("image/jpeg", contents[0].GetProperty("parts")[2].GetProperty("fileData").GetProperty("mimeType").GetString());

        var call = contents[1].GetProperty("parts")[0];
        Assert.Equal("Paris, France", call.GetProperty("functionCall").GetProperty("args").GetProperty("location").GetString());
        // Gemini 3 needs a signature on replayed calls; a client that never saw one gets the documented bypass value.
        Assert.Equal("skip_thought_signature_validator", call.GetProperty("thoughtSignature").GetString());

        var response = contents[2].GetProperty("parts")[0].GetProperty("functionResponse");
        Assert.Equal("get_weather", response.GetProperty("name").GetString()); // name recovered from the call id
        Assert.Equal(18, response.GetProperty("response").GetProperty("temperature").GetInt32());
        Assert.Equal("You are a helpful weather assistant.", root.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.True(root.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].TryGetProperty("parametersJsonSchema", out _));
        Assert.Equal(1024, root.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
    }

    [Fact]
    public void Decodes_response_usage_with_thoughts_and_signature()
    {
        var ir = T.DecodeResponse(Fixture.Bytes("gemini/response_tools.json"), Dialect.Gemini);
        Assert.Equal(IrFinishReason.ToolCalls, ir.FinishReason); // Gemini says STOP even for calls
        Assert.Equal(new IrUsage(82, 47, 64, 17), ir.Usage);
        Assert.IsType<IrReasoning>(ir.Parts[0]);
        Assert.Equal("CiQBcsjafBbPUkzQ8kX2hYLNLoBzkK+Tj5zE+ZdG1aRx0Q==", ir.Parts.OfType<IrToolCall>().First().Signature);

        var again = T.DecodeResponse(T.EncodeResponse(ir, Dialect.Gemini), Dialect.Gemini);
        Assert.Equal(ir.Usage, again.Usage);
        Assert.Equal(ir.Parts.OfType<IrToolCall>().Select(c => c.Signature), again.Parts.OfType<IrToolCall>().Select(c => c.Signature));
    }

    [Fact]
    public void Whole_function_calls_become_anthropic_tool_use_start_delta_stop()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Gemini, Dialect.Anthropic, Fixture.Bytes("gemini/stream_tools.sse")));
        Anthropic.AnthropicTests.AssertBlocksWellFormed(output);
        var events = Anthropic.AnthropicTests.SseEvents(output);
        var starts = events.Where(e => e.Event == "content_block_start").Select(e => e.Data.GetProperty("content_block").GetProperty("type").GetString()).ToList();
        // the signed empty thinking block carries the first call's Gemini signature
        Assert.Equal(["thinking", "text", "thinking", "tool_use", "tool_use"], starts);
        // input tokens from the first Gemini chunk are already known at message_start
        Assert.Equal(82, events[0].Data.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public void Openai_fragments_are_joined_into_one_function_call_chunk()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.OpenAIChat, Dialect.Gemini, Fixture.Bytes("openai/stream_tools.sse")));
        var chunks = Anthropic.AnthropicTests.SseEvents(output).Select(e => e.Data).ToList();
        var calls = chunks.SelectMany(c => c.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts").EnumerateArray())
            .Where(p => p.TryGetProperty("functionCall", out _)).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("Tokyo, Japan", calls[1].GetProperty("functionCall").GetProperty("args").GetProperty("location").GetString());
        var last = chunks[^1];
        Assert.Equal("STOP", last.GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(82, last.GetProperty("usageMetadata").GetProperty("promptTokenCount").GetInt32());
        Assert.Equal("client-model", last.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public void Thought_signature_survives_a_trip_through_an_openai_client()
    {
        const string Sig = "CiQBcsjafBbPUkzQ8kX2hYLNLoBzkK+Tj5zE+ZdG1aRx0Q==";
        // The client gets it tagged with its origin (docs/translation.md, history rules), still base64.
        const string Tagged = "bG14Z2Vt" + Sig;
        // response: Gemini upstream → OpenAI client
        var openAi = T.TranslateResponse(Fixture.Bytes("gemini/response_tools.json"), Dialect.Gemini, Dialect.OpenAIChat);
        var call = JsonDocument.Parse(openAi).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal(Tagged, call.GetProperty("extra_content").GetProperty("google").GetProperty("thought_signature").GetString());

        // stream: the first tool-call delta carries it
        var stream = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Gemini, Dialect.OpenAIChat, Fixture.Bytes("gemini/stream_tools.sse")));
        Assert.Contains("\"extra_content\":{\"google\":{\"thought_signature\":\"" + Tagged + "\"}}", stream, StringComparison.Ordinal);

        // next turn: the OpenAI client echoes the call back; the Gemini request carries the signature again
        var request = JsonNode.Parse(Fixture.Bytes("openai/request_tools.json"))!;
        var echoed = request["messages"]!.AsArray().SelectMany(m => m!["tool_calls"]?.AsArray() ?? []).First(c => (string?)c!["id"] == "call_abc123")!;
        echoed["extra_content"] = new JsonObject { ["google"] = new JsonObject { ["thought_signature"] = Tagged } };
        var openAiBody = Encoding.UTF8.GetBytes(request.ToJsonString());
        var gemini = JsonDocument.Parse(T.TranslateRequest(openAiBody, Dialect.OpenAIChat, Dialect.Gemini, new RequestOverrides { Model = "gemini-3-pro-preview" })).RootElement;
        var parts = gemini.GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal(Sig, parts[0].GetProperty("thoughtSignature").GetString());
        Assert.False(parts[1].TryGetProperty("thoughtSignature", out _)); // only the first call of a turn needs one
    }

    [Fact]
    public void Json_array_streams_decode_at_every_split_and_encode_for_array_clients()
    {
        var array = Fixture.Bytes("gemini/stream_tools_array.json");
        var expected = StreamSummary.Of(Dialect.Gemini, Fixture.Bytes("gemini/stream_tools.sse"));
        for (int chunk = 1; chunk <= array.Length; chunk = chunk < 16 ? chunk + 1 : chunk * 2)
        {
            var s = StreamSummary.Of(Dialect.Gemini, array, chunk);
            Assert.Equal(expected.Text, s.Text);
            Assert.Equal(expected.Reasoning, s.Reasoning);
            Assert.Equal(expected.ToolCalls.Select(c => (c.Name, IrDump.Json(c.Args))), s.ToolCalls.Select(c => (c.Name, IrDump.Json(c.Args))));
            Assert.Equal(expected.Usage, s.Usage);
            Assert.True(s.Ended);
        }

        var output = StreamRun.Translate(Dialect.Anthropic, Dialect.Gemini, Fixture.Bytes("anthropic/stream_tools.sse"), ctx: new StreamContext { GeminiJsonArray = true });
        var doc = JsonDocument.Parse(output).RootElement; // the whole body is one JSON array
        Assert.Equal(JsonValueKind.Array, doc.ValueKind);
        Assert.Equal("STOP", doc[doc.GetArrayLength() - 1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        var back = StreamSummary.Of(Dialect.Gemini, output);
        Assert.Equal("I'll check the weather in both cities.", back.Text);
        Assert.Equal(2, back.ToolCalls.Count);
    }

    [Fact]
    public void Truncated_json_array_stream_is_reported()
    {
        var array = Fixture.Bytes("gemini/stream_tools_array.json");
        var ex = Assert.Throws<TranslationException>(() => StreamSummary.Of(Dialect.Gemini, array[..(array.Length / 2)]));
        Assert.Equal(TranslationErrorKind.TruncatedStream, ex.Kind);
    }

    [Fact]
    public void Call_signature_survives_a_trip_through_anthropic_and_responses_clients()
    {
        const string Sig = "CiQBcsjafBbPUkzQ8kX2hYLNLoBzkK+Tj5zE+ZdG1aRx0Q==";
        foreach (var client in new[] { Dialect.Anthropic, Dialect.OpenAIResponses })
        {
            // The client receives the answer and replays it as history (the assistant turn's content / output items).
            var answer = JsonNode.Parse(T.TranslateResponse(Fixture.Bytes("gemini/response_tools.json"), Dialect.Gemini, client))!;
            var clientBody = Encoding.UTF8.GetBytes(client == Dialect.Anthropic
                ? new JsonObject
                {
                    ["model"] = "claude", ["max_tokens"] = 100,
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "weather?" }, new JsonObject { ["role"] = "assistant", ["content"] = answer["content"]!.DeepClone() }),
                }.ToJsonString()
                : new JsonObject
                {
                    ["model"] = "gpt-5",
                    ["input"] = new JsonArray([new JsonObject { ["role"] = "user", ["content"] = "weather?" }, .. answer["output"]!.AsArray().Select(i => i!.DeepClone())]),
                }.ToJsonString());
            var gemini = JsonDocument.Parse(T.TranslateRequest(clientBody, client, Dialect.Gemini, new RequestOverrides { Model = "gemini-3-pro-preview" })).RootElement;
            var parts = gemini.GetProperty("contents")[1].GetProperty("parts").EnumerateArray().ToList();
            var firstCall = parts.First(p => p.TryGetProperty("functionCall", out _));
            Assert.Equal(Sig, firstCall.GetProperty("thoughtSignature").GetString());
        }

        // Streams put the signature in a signed thinking block right before the tool_use block.
        var sse = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Gemini, Dialect.Anthropic, Fixture.Bytes("gemini/stream_tools.sse")));
        Anthropic.AnthropicTests.AssertBlocksWellFormed(sse);
        var events = Anthropic.AnthropicTests.SseEvents(sse);
        int sigAt = events.FindIndex(e => e.Event == "content_block_delta" && e.Data.GetProperty("delta").TryGetProperty("signature", out var v) && v.GetString() == "bG14Z2Vt" + Sig);
        int toolAt = events.FindIndex(e => e.Event == "content_block_start" && e.Data.GetProperty("content_block").GetProperty("type").GetString() == "tool_use");
        Assert.InRange(sigAt, 0, toolAt);
    }

    [Theory]
    [InlineData("gemini-3-pro-preview", "medium", "thinkingLevel", "high")]
    [InlineData("gemini-3-flash-preview", "minimal", "thinkingLevel", "minimal")]
    [InlineData("gemini-2.5-flash", "medium", "thinkingBudget", "8192")]
    public void Reasoning_effort_becomes_level_or_budget_by_model(string model, string effort, string field, string expected)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"model":"x","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"{{effort}}"}""");
        var root = JsonDocument.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Gemini, new RequestOverrides { Model = model })).RootElement;
        var thinking = root.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(expected, thinking.GetProperty(field).ToString());
        Assert.True(thinking.GetProperty("includeThoughts").GetBoolean());
    }

    [Fact]
    public void Call_signature_gets_its_own_thinking_block_after_thoughts()
    {
        var sse = Encoding.UTF8.GetBytes(
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Plan.\",\"thought\":true}]},\"index\":0}]}\r\n\r\n" +
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"ls\",\"args\":{}},\"thoughtSignature\":\"SIG\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2,\"totalTokenCount\":5}}\r\n\r\n");
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Gemini, Dialect.Anthropic, sse));
        Anthropic.AnthropicTests.AssertBlocksWellFormed(output);
        var events = Anthropic.AnthropicTests.SseEvents(output);
        var starts = events.Where(e => e.Event == "content_block_start").Select(e => e.Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal(["thinking", "thinking", "tool_use"], starts);
        var sigDelta = events.Single(e => e.Event == "content_block_delta" && e.Data.GetProperty("delta").TryGetProperty("signature", out _));
        Assert.Equal(1, sigDelta.Data.GetProperty("index").GetInt32()); // the second block, not the thoughts
    }
}
