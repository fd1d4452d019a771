using System.Buffers;
using System.Text;

namespace LlmMux.Translation.Tests;

public sealed class MalformedInputTests
{
    private static readonly Translator T = Translator.Default;

    public static TheoryData<Dialect> Dialects() => [.. CrossMatrixTests.AllDialects];

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Invalid_json_request(Dialect d)
    {
        var ex = Assert.Throws<TranslationException>(() => T.TranslateRequest("{\"model\": "u8, d, Dialect.OpenAIChat));
        Assert.Equal(TranslationErrorKind.InvalidJson, ex.Kind);
        ex = Assert.Throws<TranslationException>(() => T.TranslateResponse("[1,2"u8, d, Dialect.Anthropic));
        Assert.Equal(TranslationErrorKind.InvalidJson, ex.Kind);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Wrong_types_and_missing_fields(Dialect d)
    {
        foreach (var body in new[] { "[]", "{\"messages\":5,\"contents\":5,\"input\":5}", "{\"model\":\"m\"}", "{\"messages\":[{\"role\":\"user\",\"content\":7}],\"contents\":[{\"role\":\"user\",\"parts\":7}],\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":7}]}" })
        {
            var ex = Assert.Throws<TranslationException>(() => T.TranslateRequest(Encoding.UTF8.GetBytes(body), d, Dialect.Anthropic == d ? Dialect.OpenAIChat : Dialect.Anthropic));
            Assert.True(ex.Kind is TranslationErrorKind.WrongType or TranslationErrorKind.MissingField, $"{d} {body}: {ex.Kind}");
        }

        foreach (var body in new[] { "{}", "{\"choices\":{},\"content\":{},\"candidates\":{},\"output\":{},\"message\":5}" })
        {
            var ex = Assert.Throws<TranslationException>(() => T.TranslateResponse(Encoding.UTF8.GetBytes(body), d, Dialect.Anthropic == d ? Dialect.OpenAIChat : Dialect.Anthropic));
            Assert.True(ex.Kind is TranslationErrorKind.WrongType or TranslationErrorKind.MissingField, $"{d} {body}: {ex.Kind}");
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Truncated_stream(Dialect d)
    {
        var full = Support.Fixture.Bytes(CrossMatrixTests.RichestStreamOf(d));
        var to = d == Dialect.OpenAIChat ? Dialect.Anthropic : Dialect.OpenAIChat;
        foreach (int cut in new[] { full.Length / 3, full.Length / 2, full.Length - 40 })
        {
            using var t = T.CreateStreamTranslator(d, to);
            var output = new ArrayBufferWriter<byte>();
            t.Feed(full.AsSpan(0, cut), output);
            var ex = Assert.Throws<TranslationException>(() => t.Complete(output));
            Assert.Equal(TranslationErrorKind.TruncatedStream, ex.Kind);
            t.WriteError(output, "upstream stream truncated");
            Assert.Contains("upstream stream truncated", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Garbage_inside_a_stream_event(Dialect d)
    {
        var to = d == Dialect.OpenAIChat ? Dialect.Anthropic : Dialect.OpenAIChat;
        using var t = T.CreateStreamTranslator(d, to);
        var output = new ArrayBufferWriter<byte>();
        var ex = Assert.Throws<TranslationException>(() => t.Feed("data: {\"choices\":[{\"delta\":{\"content\":5},\"text\":5}],\"type\":7,\"candidates\":3,\"message\":9}\n\n"u8, output));
        Assert.True(ex.Kind is TranslationErrorKind.WrongType or TranslationErrorKind.MissingField or TranslationErrorKind.InvalidJson);
        using var t2 = T.CreateStreamTranslator(d, to);
        ex = Assert.Throws<TranslationException>(() => t2.Feed("data: {not json\n\n{not json\n"u8, output));
        Assert.Equal(TranslationErrorKind.InvalidJson, ex.Kind);
    }

    [Fact]
    public void Error_bodies_have_each_dialect_shape()
    {
        Assert.Equal("""{"error":{"message":"bad","type":"invalid_request_error","code":null,"param":null}}""", Encoding.UTF8.GetString(LlmMux.Translation.Dialects.Get(Dialect.OpenAIChat).ErrorBody(400, "bad")));
        Assert.Equal("""{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}""", Encoding.UTF8.GetString(LlmMux.Translation.Dialects.Get(Dialect.Anthropic).ErrorBody(429, "slow down")));
        Assert.Equal("""{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}""", Encoding.UTF8.GetString(LlmMux.Translation.Dialects.Get(Dialect.Gemini).ErrorBody(429, "slow down")));
        Assert.Equal("""{"error":"boom"}""", Encoding.UTF8.GetString(LlmMux.Translation.Dialects.Get(Dialect.Ollama).ErrorBody(500, "boom")));
    }
}
