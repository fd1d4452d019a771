using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Tests.Anthropic;

/// <summary>Anthropic's shapes, as its API and SDKs expect them.</summary>
public sealed class AnthropicDialectTests
{
    private static readonly DialectDescriptor D = Dialects.Get(Dialect.Anthropic);

    [Fact]
    public void Facts()
    {
        Assert.Equal(ApiFamily.Anthropic, D.Family);
        Assert.Equal("text/event-stream", D.StreamContentType(jsonArray: false));
        Assert.False(D.UsageChunkOnRequest);
        Assert.True(D.WantsInputTokenEstimate);
        Assert.Equal(["anthropic-version"], D.CallerHeaders);
        Assert.Equal(new[] { ("anthropic-messages", "/v1/messages", IngressKind.Generate), ("anthropic-count-tokens", "/v1/messages/count_tokens", IngressKind.CountTokens) },
            D.Routes.Select(r => (r.Name, r.Path, r.Kind)));
    }

    /// <summary>SDKs map error.type to exception classes: llm-mux's own codes never reach that field.</summary>
    [Theory]
    [InlineData(400, "invalid_json", "invalid_request_error")]
    [InlineData(401, "invalid_api_key", "authentication_error")]
    [InlineData(404, "model_not_found", "not_found_error")]
    [InlineData(413, "request_too_large", "request_too_large")]
    [InlineData(429, "client_rate_limited", "rate_limit_error")]
    [InlineData(500, "overloaded_error", "overloaded_error")]
    [InlineData(502, "upstream_error", "api_error")]
    [InlineData(529, null, "overloaded_error")]
    public void Error_type_is_an_anthropic_type(int status, string? code, string type) =>
        Assert.Equal($$$"""{"type":"error","error":{"type":"{{{type}}}","message":"m"}}""", Encoding.UTF8.GetString(D.ErrorBody(status, "m", code)));

    [Fact]
    public void Stream_error_is_an_error_event() =>
        Assert.Equal(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"cut\"}}\n\n",
            Encoding.UTF8.GetString(D.StreamError(502, "cut", "upstream_stream_broken")));

    [Fact]
    public void Model_list_pages_with_first_and_last_id()
    {
        Assert.Equal(
            """{"data":[{"type":"model","id":"claude-opus-4-1","display_name":"claude-opus-4-1","created_at":"1970-01-01T00:00:00Z"},{"type":"model","id":"claude-haiku-4-5","display_name":"claude-haiku-4-5","created_at":"1970-01-01T00:00:00Z"}],"has_more":false,"first_id":"claude-opus-4-1","last_id":"claude-haiku-4-5"}""",
            Write(w => D.WriteModelList(w, [new("claude-opus-4-1", "claude"), new("claude-haiku-4-5", "claude")])));
        Assert.Equal("""{"data":[],"has_more":false,"first_id":null,"last_id":null}""", Write(w => D.WriteModelList(w, [])));
    }

    [Fact]
    public void Token_count_is_input_tokens() => Assert.Equal("""{"input_tokens":3}""", Write(w => D.WriteTokenCount(w, 3)));

    /// <summary>Input counts come in message_start (cache reads and writes included), output counts cumulatively in
    /// message_delta, which may repeat the input fields.</summary>
    [Fact]
    public void Usage_scan_merges_message_start_and_message_delta()
    {
        using var tap = Translator.Default.CreateUsageTap(Dialect.Anthropic, stream: true);
        tap.Feed("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":20,"output_tokens":1}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":42}}

            event: message_stop
            data: {"type":"message_stop"}


            """u8);
        Assert.Equal(new Translation.Ir.IrUsage(35, 42, 20, CacheWriteInputTokens: 5), tap.Complete());
    }

    private static string Write(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(JsonWrite.ToBytes(write));
}
