using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.Usage;

/// <summary>The usage fields each client reads are in every translated answer, estimated (and marked so) when the
/// upstream did not report them.</summary>
public sealed class UsageFieldsTests
{
    private static readonly Translator T = Translator.Default;

    /// <summary>An OpenAI-compatible stream that never reports usage (no include_usage honoured).</summary>
    private static readonly byte[] ChatStreamWithoutUsage = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello there, friend!\"}}]}\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n");

    private static (byte[] Output, IrUsage? Usage) Run(Dialect from, Dialect to, byte[] input, StreamContext ctx)
    {
        var output = new ArrayBufferWriter<byte>();
        using var t = T.CreateStreamTranslator(from, to, ctx);
        t.Feed(input, output);
        t.Complete(output);
        return (output.WrittenSpan.ToArray(), t.Usage);
    }

    private static JsonElement LastData(byte[] sse, Func<JsonElement, bool> match)
    {
        JsonElement? found = null;
        foreach (var line in Encoding.UTF8.GetString(sse).Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                var e = JsonDocument.Parse(line[6..]).RootElement;
                if (match(e))
                {
                    found = e;
                }
            }
        }

        return found ?? throw new Xunit.Sdk.XunitException("no such event in:\n" + Encoding.UTF8.GetString(sse));
    }

    [Fact]
    public void Anthropic_client_gets_input_estimate_and_cache_fields_from_an_upstream_that_reports_nothing()
    {
        var (sse, usage) = Run(Dialect.OpenAIChat, Dialect.Anthropic, ChatStreamWithoutUsage, new StreamContext { Model = "claude-x", EstimatedInputTokens = 42 });

        var start = LastData(sse, e => e.GetProperty("type").GetString() == "message_start").GetProperty("message").GetProperty("usage");
        Assert.Equal(42, start.GetProperty("input_tokens").GetInt64());
        Assert.Equal(0, start.GetProperty("cache_creation_input_tokens").GetInt64());
        Assert.Equal(0, start.GetProperty("cache_read_input_tokens").GetInt64());
        var end = LastData(sse, e => e.GetProperty("type").GetString() == "message_delta").GetProperty("usage");
        Assert.Equal(42, end.GetProperty("input_tokens").GetInt64());
        Assert.Equal(5, end.GetProperty("output_tokens").GetInt64()); // 20 characters
        Assert.True(usage!.Estimated);
    }

    [Fact]
    public void OpenAI_client_gets_a_usage_chunk_with_details_even_when_the_upstream_sent_none()
    {
        var (sse, usage) = Run(Dialect.Gemini, Dialect.OpenAIChat, Encoding.UTF8.GetBytes(
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi!\"}]},\"finishReason\":\"STOP\",\"index\":0}]}\n\n"),
            new StreamContext { Model = "m", IncludeUsage = true, EstimatedInputTokens = 7 });

        var u = LastData(sse, e => e.TryGetProperty("usage", out var x) && x.ValueKind == JsonValueKind.Object).GetProperty("usage");
        Assert.Equal(7, u.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(1, u.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(0, u.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(0, u.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64());
        Assert.True(usage!.Estimated);
    }

    [Fact]
    public void OpenAI_client_gets_reasoning_tokens_for_anthropic_thinking_which_anthropic_does_not_count_apart()
    {
        var (sse, usage) = Run(Dialect.Anthropic, Dialect.OpenAIChat, Fixture.Bytes("anthropic/stream_tools.sse"), new StreamContext { Model = "m" });

        var u = LastData(sse, e => e.TryGetProperty("usage", out var x) && x.ValueKind == JsonValueKind.Object).GetProperty("usage");
        long reasoning = u.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64();
        Assert.InRange(reasoning, 1, u.GetProperty("completion_tokens").GetInt64());
        Assert.True(usage!.Estimated);
    }

    [Fact]
    public void A_reported_usage_is_passed_on_unmarked()
    {
        var (_, usage) = Run(Dialect.OpenAIChat, Dialect.Anthropic, Fixture.Bytes("openai/stream_text.sse"), new StreamContext { Model = "m" });

        Assert.False(usage!.Estimated);
    }

    [Fact]
    public void Gemini_client_always_gets_thoughtsTokenCount()
    {
        var body = T.EncodeResponse(new IrResponse { Parts = [new IrText("x")], Usage = new IrUsage(3, 2) }, Dialect.Gemini);

        using var doc = JsonDocument.Parse(body);
        Assert.Equal(0, doc.RootElement.GetProperty("usageMetadata").GetProperty("thoughtsTokenCount").GetInt64());
    }

    [Fact]
    public void Responses_client_stream_ends_with_usage_when_the_upstream_reported_none()
    {
        var (sse, _) = Run(Dialect.OpenAIChat, Dialect.OpenAIResponses, ChatStreamWithoutUsage, new StreamContext { Model = "m", EstimatedInputTokens = 9 });

        var completed = LastData(sse, e => e.GetProperty("type").GetString() == "response.completed").GetProperty("response").GetProperty("usage");
        Assert.Equal(9, completed.GetProperty("input_tokens").GetInt64());
        Assert.Equal(0, completed.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt64());
    }

    [Fact]
    public void Anthropic_cache_writes_reach_an_anthropic_client_of_a_translated_answer()
    {
        var ir = T.DecodeResponse(Encoding.UTF8.GetBytes("""
            {"id":"msg_1","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
             "usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":50,"output_tokens":3}}
            """), Dialect.Anthropic);
        Assert.Equal(new IrUsage(160, 3, 50, 0, 100), ir.Usage);

        using var doc = JsonDocument.Parse(T.EncodeResponse(ir, Dialect.Anthropic));
        var u = doc.RootElement.GetProperty("usage");
        Assert.Equal((10, 100, 50), (u.GetProperty("input_tokens").GetInt64(), u.GetProperty("cache_creation_input_tokens").GetInt64(), u.GetProperty("cache_read_input_tokens").GetInt64()));
    }

    [Fact]
    public void A_whole_answer_without_usage_gets_an_estimate_marked_as_such()
    {
        var answer = new IrResponse { Parts = [new IrReasoning("12345678"), new IrText("1234")] };

        var completed = UsageEstimate.Complete(answer, 11);

        Assert.Equal(new IrUsage(11, 3, 0, 2, 0, Estimated: true), completed.Usage);
        var reported = answer with { Usage = new IrUsage(5, 9, 0, 4) };
        Assert.Same(reported, UsageEstimate.Complete(reported, 11));
    }
}
