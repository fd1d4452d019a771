using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Tests.Gemini;

/// <summary>Gemini's shapes (and Code Assist's, which are Gemini's), as Google's API and the Gemini CLI expect them.</summary>
public sealed class GeminiDialectTests
{
    private static readonly DialectDescriptor D = Dialects.Get(Dialect.Gemini);
    private static readonly DialectDescriptor CodeAssist = Dialects.Get(Dialect.GeminiCodeAssist);

    [Fact]
    public void Facts()
    {
        Assert.Equal(ApiFamily.Gemini, D.Family);
        Assert.Equal(ApiFamily.Gemini, CodeAssist.Family);
        Assert.True(D.StreamsJsonArray(null));
        Assert.True(D.StreamsJsonArray("json"));
        Assert.False(D.StreamsJsonArray("sse"));
        Assert.Equal("application/json", D.StreamContentType(jsonArray: true));
        Assert.Equal("text/event-stream", D.StreamContentType(jsonArray: false));
        Assert.Equal(["x-goog-api-key", "x-goog-api-client"], D.CallerHeaders);
        Assert.Equal(["key"], D.CallerQueryKeys);
        Assert.Equal(new[] { "/v1beta/models/{**action}", "/v1/models/{**action}", "/v1alpha/models/{**action}" }, D.Routes.Select(r => r.Path));
        Assert.All(D.Routes, r => Assert.Equal(IngressKind.GeminiModelAction, r.Kind));
        Assert.All(CodeAssist.Routes, r => Assert.True(r.LoopbackOnly));
        Assert.Equal(new[] { IngressKind.Generate, IngressKind.StreamingGenerate, IngressKind.CountTokens }, CodeAssist.Routes.Select(r => r.Kind));
    }

    [Theory]
    [InlineData(400, "invalid_json", "INVALID_ARGUMENT")]
    [InlineData(401, "invalid_api_key", "UNAUTHENTICATED")]
    [InlineData(404, "model_not_found", "NOT_FOUND")]
    [InlineData(429, "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED")]
    [InlineData(500, "UNAVAILABLE", "UNAVAILABLE")]
    [InlineData(502, "upstream_error", "INTERNAL")]
    [InlineData(504, "upstream_timeout", "DEADLINE_EXCEEDED")]
    public void Error_status_is_a_google_status(int status, string code, string googleStatus)
    {
        var expected = $$$"""{"error":{"code":{{{status}}},"message":"m","status":"{{{googleStatus}}}"}}""";
        Assert.Equal(expected, Encoding.UTF8.GetString(D.ErrorBody(status, "m", code)));
        Assert.Equal(expected, Encoding.UTF8.GetString(CodeAssist.ErrorBody(status, "m", code))); // errors are not enveloped
    }

    [Fact]
    public void Stream_error_is_a_data_event_with_the_http_code() =>
        Assert.Equal(
            "data: {\"error\":{\"code\":504,\"message\":\"stalled\",\"status\":\"DEADLINE_EXCEEDED\"}}\n\n",
            Encoding.UTF8.GetString(CodeAssist.StreamError(504, "stalled", "upstream_stream_stalled")));

    [Fact]
    public void Model_list_names_models_with_their_prefix()
    {
        Assert.Equal(
            """{"models":[{"name":"models/gemini-2.5-pro","displayName":"gemini-2.5-pro","description":"Served by llm-mux through provider 'gemini'.","supportedGenerationMethods":["generateContent","streamGenerateContent","countTokens"]}]}""",
            Write(w => D.WriteModelList(w, [new("gemini-2.5-pro", "gemini")])));
        Assert.Equal("gemini-2.5-pro", D.ModelIdFromPath("models/gemini-2.5-pro"));
        Assert.Equal("gemini-2.5-pro", D.ModelIdFromPath("gemini-2.5-pro"));
    }

    [Fact]
    public void Token_count_is_total_tokens() => Assert.Equal("""{"totalTokens":9}""", Write(w => CodeAssist.WriteTokenCount(w, 9)));

    [Fact]
    public void Usage_scan_reads_usage_metadata_inside_the_code_assist_envelope()
    {
        using var tap = Translator.Default.CreateUsageTap(Dialect.GeminiCodeAssist, stream: true);
        tap.Feed("""
            data: {"response":{"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]}}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":1,"totalTokenCount":9},"modelVersion":"gemini-2.5-pro"},"traceId":"t"}

            data: {"response":{"candidates":[{"content":{"role":"model","parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2,"thoughtsTokenCount":5,"cachedContentTokenCount":3,"totalTokenCount":15},"modelVersion":"gemini-2.5-pro"},"traceId":"t"}


            """u8);
        Assert.Equal(new Translation.Ir.IrUsage(8, 7, 3, 5), tap.Complete());
    }

    [Fact]
    public void Usage_scan_reads_a_json_array_stream()
    {
        var bytes = Support.Fixture.Bytes("gemini/stream_tools_array.json");
        using var tap = Translator.Default.CreateUsageTap(Dialect.Gemini, stream: true);
        tap.Feed(bytes);
        Assert.Equal(Support.StreamSummary.Of(Dialect.Gemini, bytes).Usage, tap.Complete());
    }

    /// <summary>Pass-through array framing: each SSE event's data becomes one element, byte for byte.</summary>
    [Fact]
    public void Json_array_framer_reframes_sse_events_as_elements()
    {
        using var framer = Translator.Default.CreateGeminiJsonArrayFramer();
        var output = new ArrayBufferWriter<byte>();
        framer.Feed("data: {\"a\":1}\r\n\r\ndata: {\"b\""u8, output);
        framer.Feed(":2}\n\n: keep-alive\n\n"u8, output);
        framer.Complete(output);
        Assert.Equal("[{\"a\":1},\r\n{\"b\":2}]", Encoding.UTF8.GetString(output.WrittenSpan));

        using var empty = Translator.Default.CreateGeminiJsonArrayFramer();
        output.Clear();
        empty.Complete(output);
        Assert.Equal("[]", Encoding.UTF8.GetString(output.WrittenSpan));

        using var failed = Translator.Default.CreateGeminiJsonArrayFramer();
        output.Clear();
        failed.Feed("data: {\"a\":1}\n\n"u8, output);
        failed.WriteError(output, "broken");
        failed.Complete(output);
        Assert.Equal("[{\"a\":1},\r\n{\"error\":{\"code\":500,\"message\":\"broken\",\"status\":\"INTERNAL\"}}]", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static string Write(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(JsonWrite.ToBytes(write));
}
