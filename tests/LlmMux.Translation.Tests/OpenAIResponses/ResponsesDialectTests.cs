using System.Text;

namespace LlmMux.Translation.Tests.OpenAIResponses;

/// <summary>Responses shares the OpenAI family's error and list shapes; its stream error is its own event.</summary>
public sealed class ResponsesDialectTests
{
    private static readonly DialectDescriptor D = Dialects.Get(Dialect.OpenAIResponses);

    [Fact]
    public void Facts()
    {
        Assert.Equal(ApiFamily.OpenAI, D.Family);
        Assert.False(D.UsageChunkOnRequest); // usage rides on response.completed, asked or not
        Assert.Equal(new[] { "/v1/responses", "/v1/responses/compact" }, D.Routes.Select(r => r.Path));
        Assert.Equal(IngressKind.Compaction, D.Routes[1].Kind);
        Assert.Equal(Dialects.Get(Dialect.OpenAIChat).ErrorBody(429, "m", "rate_limited"), D.ErrorBody(429, "m", "rate_limited"));
    }

    [Fact]
    public void Stream_error_is_an_error_event() =>
        Assert.Equal(
            "event: error\ndata: {\"type\":\"error\",\"sequence_number\":0,\"code\":\"upstream_stream_broken\",\"message\":\"cut\",\"param\":null}\n\n",
            Encoding.UTF8.GetString(D.StreamError(502, "cut", "upstream_stream_broken")));

    [Fact]
    public void Usage_scan_reads_only_the_closing_event()
    {
        using var tap = Translator.Default.CreateUsageTap(Dialect.OpenAIResponses, stream: true);
        tap.Feed("""
            event: response.created
            data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","usage":{"input_tokens":1,"output_tokens":1}}}

            event: response.completed
            data: {"type":"response.completed","sequence_number":5,"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":10},"output_tokens":9,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":39}}}


            """u8);
        Assert.Equal(new Translation.Ir.IrUsage(30, 9, 10, 4), tap.Complete());
    }
}
