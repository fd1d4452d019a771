using System.Text;
using System.Text.Json;
using LlmMux.Translation.History;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.History;

/// <summary>The history rules one by one: what each target keeps, converts or drops.</summary>
public sealed class HistoryRulesTests
{
    private static readonly Translator T = Translator.Default;

    private static IrRequest Conversation(Dialect source, string? reasoningSignature, string? callSignature, string callId = "toolu_01abc") => new()
    {
        Model = "m",
        Source = source,
        Messages =
        [
            new IrMessage(IrRole.User, [new IrText("hi")]),
            new IrMessage(IrRole.Assistant, [new IrReasoning("thinking", reasoningSignature), new IrToolCall(callId, "run", "{}", callSignature)]),
            new IrMessage(IrRole.Tool, [new IrToolResult(callId, "run", [new IrText("ok")])]),
        ],
    };

    [Fact]
    public void A_signature_of_the_targets_own_family_is_sent_as_the_upstream_issued_it()
    {
        var tagged = SignatureOrigin.Mark("QW50aHJvcGlj", SignatureFamily.Anthropic);
        Assert.StartsWith("bG14YW50", tagged, StringComparison.Ordinal);

        var r = HistoryRules.ForTarget(Conversation(Dialect.Gemini, tagged, null), Dialect.Anthropic);

        Assert.Equal("QW50aHJvcGlj", r.Messages[1].Parts.OfType<IrReasoning>().Single().Signature);
    }

    [Fact]
    public void Anthropic_gets_no_thinking_signed_by_another_family_and_its_tool_loop_runs_without_thinking()
    {
        // A Gemini client's own (untagged) thought signature, replayed to Anthropic.
        var ir = Conversation(Dialect.Gemini, "R2VtaW5p", "R2VtaW5p");
        var body = T.EncodeRequest(ir, Dialect.Anthropic, new RequestOverrides { Reasoning = new IrReasoningConfig(null, 4096) });

        using var doc = JsonDocument.Parse(body);
        var assistant = doc.RootElement.GetProperty("messages")[1].GetProperty("content");
        Assert.DoesNotContain(assistant.EnumerateArray(), b => b.GetProperty("type").GetString() == "thinking");
        Assert.False(doc.RootElement.TryGetProperty("thinking", out _));
    }

    [Fact]
    public void A_gemini_3_call_whose_signature_came_from_anthropic_gets_the_documented_sentinel()
    {
        var ir = Conversation(Dialect.Anthropic, "QW50aHJvcGlj", null) with { Model = "gemini-3-pro-preview" };
        var body = Encoding.UTF8.GetString(T.EncodeRequest(ir, Dialect.Gemini));

        Assert.DoesNotContain("QW50aHJvcGlj", body, StringComparison.Ordinal);
        Assert.Contains("\"thoughtSignature\":\"skip_thought_signature_validator\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Responses_gets_no_foreign_encrypted_reasoning()
    {
        var ir = Conversation(Dialect.Anthropic, "QW50aHJvcGlj", null);
        var body = Encoding.UTF8.GetString(T.EncodeRequest(ir, Dialect.OpenAIResponses));

        Assert.DoesNotContain("encrypted_content", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"reasoning\",", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Redacted_thinking_reaches_anthropic_only_from_anthropic()
    {
        var redacted = new IrRequest
        {
            Messages = [new IrMessage(IrRole.User, [new IrText("q")]), new IrMessage(IrRole.Assistant, [new IrReasoning("", null, "ZGF0YQ=="), new IrText("a")])],
        };

        var fromAnthropic = redacted with { Source = Dialect.Anthropic };
        Assert.Same(fromAnthropic, HistoryRules.ForTarget(fromAnthropic, Dialect.Anthropic));
        var fromGemini = HistoryRules.ForTarget(redacted with { Source = Dialect.Gemini }, Dialect.Anthropic);
        Assert.DoesNotContain(fromGemini.Messages[1].Parts, p => p is IrReasoning);
    }

    [Fact]
    public void OpenAI_chat_keeps_foreign_reasoning_text_but_not_its_signature()
    {
        var r = HistoryRules.ForTarget(Conversation(Dialect.Anthropic, "QW50aHJvcGlj", "QW50aHJvcGlj"), Dialect.OpenAIChat);

        var reasoning = r.Messages[1].Parts.OfType<IrReasoning>().Single();
        Assert.Equal("thinking", reasoning.Text);
        Assert.Null(reasoning.Signature);
        Assert.Null(r.Messages[1].Parts.OfType<IrToolCall>().Single().Signature);
    }

    [Theory]
    [InlineData("functions.run:0")]
    [InlineData("call.0")]
    [InlineData("")]
    public void Tool_ids_anthropic_refuses_are_rewritten_the_same_way_in_call_and_result(string id)
    {
        var r = HistoryRules.ForTarget(Conversation(Dialect.OpenAIChat, null, null, id), Dialect.Anthropic);

        var call = r.Messages[1].Parts.OfType<IrToolCall>().Single();
        Assert.Matches("^[a-zA-Z0-9_-]+$", call.Id);
        Assert.Equal(call.Id, r.Messages[2].Parts.OfType<IrToolResult>().Single().ToolCallId);
    }

    [Fact]
    public void Tool_ids_two_rewritten_ids_stay_apart()
    {
        Assert.NotEqual(ToolCallIds.For(Dialect.Anthropic, "a.b"), ToolCallIds.For(Dialect.Anthropic, "a:b"));
    }

    [Fact]
    public void Tool_ids_longer_than_openai_takes_are_shortened_deterministically()
    {
        string id = "toolu_01" + new string('x', 40);
        var r = HistoryRules.ForTarget(Conversation(Dialect.Anthropic, null, null, id), Dialect.OpenAIChat);

        var call = r.Messages[1].Parts.OfType<IrToolCall>().Single();
        Assert.InRange(call.Id.Length, 1, 40);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
        Assert.Equal(call.Id, r.Messages[2].Parts.OfType<IrToolResult>().Single().ToolCallId);
        Assert.Equal(call.Id, ToolCallIds.For(Dialect.OpenAIChat, id));
    }

    [Fact]
    public void A_history_that_needs_nothing_is_the_same_instance()
    {
        var ir = Conversation(Dialect.Anthropic, "QW50aHJvcGlj", null);
        Assert.Same(ir, HistoryRules.ForTarget(ir, Dialect.Anthropic));
    }

    [Fact]
    public void A_same_dialect_body_replaying_a_tagged_signature_goes_through_the_rules()
    {
        string foreign = SignatureOrigin.Mark("R2VtaW5p", SignatureFamily.Gemini)!;
        var body = Encoding.UTF8.GetBytes($$"""
            {"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"q"},
            {"role":"assistant","content":[{"type":"thinking","thinking":"","signature":"{{foreign}}"},{"type":"text","text":"a"}]},
            {"role":"user","content":"next"}]}
            """);
        Assert.True(Translator.NeedsHistoryPass(body, Dialect.Anthropic));

        using var sent = T.TranslateRequestBody(body, Dialect.Anthropic, Dialect.Anthropic);
        var text = Encoding.UTF8.GetString(sent.ToArray());
        Assert.DoesNotContain("thinking", text, StringComparison.Ordinal);
        Assert.Contains("\"a\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_same_dialect_body_without_tags_is_passed_on_as_sent()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"bG14 is not a tag here"}]}""");
        Assert.False(Translator.NeedsHistoryPass(body, Dialect.Anthropic));
        using var sent = T.TranslateRequestBody(body, Dialect.Anthropic, Dialect.Anthropic);
        Assert.Equal(body, sent.ToArray());
    }

    [Fact]
    public void Signatures_crossing_to_a_client_of_another_family_are_tagged_and_stay_base64()
    {
        var answer = new IrResponse { Parts = [new IrReasoning("t", "R2VtaW5p"), new IrToolCall("c", "run", "{}", "R2VtaW5p")] } with { Source = Dialect.Gemini };

        var anthropic = Encoding.UTF8.GetString(T.EncodeResponse(answer, Dialect.Anthropic));
        var gemini = Encoding.UTF8.GetString(T.EncodeResponse(answer, Dialect.Gemini));

        string tagged = SignatureOrigin.Mark("R2VtaW5p", SignatureFamily.Gemini)!;
        Assert.Contains(tagged, anthropic, StringComparison.Ordinal);
        Assert.NotNull(Convert.FromBase64String(tagged));
        Assert.DoesNotContain("bG14", gemini, StringComparison.Ordinal);
    }

    [Fact]
    public void A_streamed_answer_gets_the_same_marks_as_a_whole_one()
    {
        var chat = Encoding.UTF8.GetBytes(
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"k2\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"functions.run:0\",\"type\":\"function\",\"function\":{\"name\":\"run\",\"arguments\":\"{}\"}}]}}]}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"k2\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n");

        var anthropic = Support.StreamSummary.Of(Dialect.Anthropic, Support.StreamRun.Translate(Dialect.OpenAIChat, Dialect.Anthropic, chat));
        Assert.Matches("^[a-zA-Z0-9_-]+$", Assert.Single(anthropic.ToolCalls).Id);

        var gemini = Encoding.UTF8.GetString(Support.StreamRun.Translate(Dialect.OpenAIChat, Dialect.Gemini, chat));
        Assert.Contains("\"thoughtSignature\":\"" + SignatureOrigin.UnsignedPlaceholder + "\"", gemini, StringComparison.Ordinal);
    }

    [Fact]
    public void The_unsigned_placeholder_is_never_sent_upstream()
    {
        var ir = Conversation(Dialect.Gemini, null, SignatureOrigin.UnsignedPlaceholder) with { Model = "gemini-3-pro-preview" };
        var body = Encoding.UTF8.GetString(T.EncodeRequest(ir, Dialect.Gemini));

        Assert.DoesNotContain(SignatureOrigin.UnsignedPlaceholder, body, StringComparison.Ordinal);
        Assert.Contains("skip_thought_signature_validator", body, StringComparison.Ordinal);
    }
}
