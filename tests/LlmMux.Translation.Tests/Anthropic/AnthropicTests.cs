using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.Anthropic;

public sealed class AnthropicTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Decodes_request_with_thinking_tool_use_and_mixed_user_turn()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("anthropic/request_tools.json"), Dialect.Anthropic);

        Assert.Equal(2, ir.System.Length);
        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool, IrRole.User], ir.Messages.Select(m => m.Role));
        var reasoning = Assert.IsType<IrReasoning>(ir.Messages[1].Parts[0]);
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", reasoning.Signature);
        var calls = ir.Messages[1].Parts.OfType<IrToolCall>().ToList();
        Assert.Equal("toolu_01A09q90qw90lq917835lq9", calls[0].Id);
        Assert.Equal(IrDump.Json("""{"location":"Paris, France","unit":"celsius"}"""), IrDump.Json(calls[0].ArgumentsJson));
        var results = ir.Messages[2].Parts.OfType<IrToolResult>().ToList();
        Assert.False(results[0].IsError);
        Assert.True(results[1].IsError);
        Assert.Equal("Service unavailable for Tokyo", results[1].JoinedText());
        Assert.Equal("Which one is warmer?", IrPartText.Join(ir.Messages[3].Parts));

        Assert.Single(ir.Tools); // the server tool web_search has no IR form
        Assert.Equal(10000, ir.Params.Reasoning!.BudgetTokens);
        Assert.Equal(16000, ir.Params.MaxTokens);
        Assert.Equal(["\n\nHuman:"], ir.Params.Stop.ToArray());
        Assert.Equal("user_2f1b3c", ir.User);
    }

    [Fact]
    public void Claude_code_system_role_messages_and_adaptive_thinking_are_understood()
    {
        var ir = T.DecodeRequest(Encoding.UTF8.GetBytes("""
            {"model":"claude-sonnet-4-5","max_tokens":64,"system":"base","thinking":{"type":"adaptive"},
             "messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"hi"}]}
            """), Dialect.Anthropic);

        Assert.Equal(["base", "Be terse."], ir.System.ToArray());
        Assert.Equal([IrRole.User], ir.Messages.Select(m => m.Role));
        Assert.Equal("medium", ir.Params.Reasoning!.Effort);

        var openai = JsonDocument.Parse(T.EncodeRequest(ir, Dialect.OpenAIChat)).RootElement;
        Assert.Equal("system", openai.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public void Request_round_trip_keeps_signatures_errors_and_blocks()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("anthropic/request_tools.json"), Dialect.Anthropic);
        var encoded = T.EncodeRequest(ir, Dialect.Anthropic);
        var again = T.DecodeRequest(encoded, Dialect.Anthropic);
        Assert.Equal(IrDump.Conversation(ir), IrDump.Conversation(again));
        Assert.Equal(ir.Params with { Stop = [] }, again.Params with { Stop = [] });

        var root = JsonDocument.Parse(encoded).RootElement;
        Assert.Equal(JsonValueKind.Array, root.GetProperty("system").ValueKind);
        // tool results and the follow-up text share one user turn, results first
        var last = root.GetProperty("messages")[2].GetProperty("content");
        Assert.Equal("tool_result", last[0].GetProperty("type").GetString());
        Assert.True(last[1].GetProperty("is_error").GetBoolean());
        Assert.Equal("text", last[2].GetProperty("type").GetString());
        Assert.Equal(10000, root.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
    }

    [Fact]
    public void Same_dialect_request_keeps_unknown_fields_and_patches_model()
    {
        var bytes = T.TranslateRequest(Fixture.Bytes("anthropic/request_tools.json"), Dialect.Anthropic, Dialect.Anthropic,
            new RequestOverrides { Model = "claude-opus-4-5-20251101" });
        var root = JsonDocument.Parse(bytes).RootElement;
        Assert.Equal("claude-opus-4-5-20251101", root.GetProperty("model").GetString());
        Assert.Equal("ephemeral", root.GetProperty("system")[1].GetProperty("cache_control").GetProperty("type").GetString());
        Assert.Equal("web_search", root.GetProperty("tools")[1].GetProperty("name").GetString());
    }

    [Fact]
    public void Decodes_and_round_trips_responses()
    {
        var ir = T.DecodeResponse(Fixture.Bytes("anthropic/response_tools.json"), Dialect.Anthropic);
        Assert.Equal(IrFinishReason.ToolCalls, ir.FinishReason);
        Assert.Equal(new IrUsage(82, 47, 64), ir.Usage);
        Assert.IsType<IrReasoning>(ir.Parts[0]);

        var again = T.DecodeResponse(T.EncodeResponse(ir, Dialect.Anthropic), Dialect.Anthropic);
        Assert.Equal(IrDump.Parts(ir.Parts), IrDump.Parts(again.Parts));
        Assert.Equal(ir.Usage, again.Usage);
        Assert.Equal(ir.FinishReason, again.FinishReason);

        Assert.Equal(IrFinishReason.MaxTokens, T.DecodeResponse(Fixture.Bytes("anthropic/response_text.json"), Dialect.Anthropic).FinishReason);
    }

    [Fact]
    public void Decodes_stream_with_thinking_signature_and_input_json_fragments()
    {
        var s = StreamSummary.Of(Dialect.Anthropic, Fixture.Bytes("anthropic/stream_tools.sse"));
        Assert.Equal("I need the weather for both cities.", s.Reasoning);
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", s.Signature);
        Assert.Equal("I'll check the weather in both cities.", s.Text);
        Assert.Equal(["toolu_01A09q90qw90lq917835lq9", "toolu_01B19r91rx91mr928946mr0"], s.ToolCalls.Select(c => c.Id));
        StreamSummary.AssertSameArgs("""{"location":"Paris, France"}""", s.ToolCalls[0].Args);
        Assert.Equal(IrFinishReason.ToolCalls, s.Finish);
        Assert.Equal(new IrUsage(82, 47, 64), s.Usage);
        Assert.True(s.Ended);
    }

    [Fact]
    public void Stream_encoder_produces_well_formed_block_sequence()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.OpenAIChat, Dialect.Anthropic, Fixture.Bytes("openai/stream_tools.sse")));
        var types = SseEvents(output).Select(e => e.Event).ToList();
        Assert.Equal("message_start", types[0]);
        Assert.Equal(["message_delta", "message_stop"], types[^2..]);
        AssertBlocksWellFormed(output);
        Assert.Contains("\"stop_reason\":\"tool_use\"", output, StringComparison.Ordinal);
        Assert.Contains("\"partial_json\":\"{\\\"lo\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Upstream_error_event_is_decoded_and_reencoded()
    {
        // the error event ends the stream: no truncation error follows it
        var s = StreamSummary.Of(Dialect.Anthropic, Fixture.Bytes("anthropic/stream_error.sse"));
        Assert.Equal(["Overloaded"], s.Errors);

        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using var t = T.CreateStreamTranslator(Dialect.Anthropic, Dialect.OpenAIChat);
        t.Feed(Fixture.Bytes("anthropic/stream_error.sse"), output);
        t.Complete(output);
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("data: {\"error\":{\"message\":\"Overloaded\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Thinking_is_switched_off_when_the_tool_loop_has_no_signed_thinking()
    {
        var withCalls = new IrRequest
        {
            Model = "claude-sonnet-4-5",
            Messages =
            [
                new IrMessage(IrRole.User, [new IrText("weather?")]),
                new IrMessage(IrRole.Assistant, [new IrToolCall("call_1", "get_weather", "{}")]),
                new IrMessage(IrRole.Tool, [new IrToolResult("call_1", null, [new IrText("sunny")])]),
            ],
            Params = new IrGenerationParams { MaxTokens = 1000, Reasoning = new IrReasoningConfig("high", null) },
        };
        var root = JsonDocument.Parse(T.EncodeRequest(withCalls, Dialect.Anthropic)).RootElement;
        Assert.False(root.TryGetProperty("thinking", out _));

        var plain = withCalls with { Messages = [withCalls.Messages[0]] };
        root = JsonDocument.Parse(T.EncodeRequest(plain, Dialect.Anthropic)).RootElement;
        Assert.Equal(24576, root.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.True(root.GetProperty("max_tokens").GetInt32() > 24576); // raised above the budget
    }

    internal static List<(string Event, JsonElement Data)> SseEvents(string sse) =>
        sse.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block =>
        {
            string ev = "";
            string data = "";
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    ev = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }

            return (ev, JsonDocument.Parse(data).RootElement.Clone());
        }).ToList();

    /// <summary>Every delta belongs to an open block; indices count up from 0; every start has a stop.</summary>
    internal static void AssertBlocksWellFormed(string sse)
    {
        int? open = null;
        int next = 0;
        foreach (var (ev, data) in SseEvents(sse))
        {
            switch (ev)
            {
                case "content_block_start":
                    Assert.Null(open);
                    Assert.Equal(next, data.GetProperty("index").GetInt32());
                    open = next;
                    break;
                case "content_block_delta":
                    Assert.Equal(open, data.GetProperty("index").GetInt32());
                    break;
                case "content_block_stop":
                    Assert.Equal(open, data.GetProperty("index").GetInt32());
                    open = null;
                    next++;
                    break;
                case "message_delta":
                case "message_stop":
                    Assert.Null(open);
                    break;
            }

            Assert.Equal(ev, data.GetProperty("type").GetString());
        }
    }
}
