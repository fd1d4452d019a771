using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Tests.OpenAIChat;

/// <summary>The OpenAI family's shapes, as OpenAI's API and SDKs expect them.</summary>
public sealed class OpenAIChatDialectTests
{
    private static readonly DialectDescriptor D = Dialects.Get(Dialect.OpenAIChat);

    [Fact]
    public void Facts()
    {
        Assert.Equal(ApiFamily.OpenAI, D.Family);
        Assert.Equal("text/event-stream", D.StreamContentType(jsonArray: false));
        Assert.Equal(StreamFraming.Sse, D.StreamFraming);
        Assert.True(D.UsageChunkOnRequest);
        Assert.False(D.WantsInputTokenEstimate);
        Assert.Equal(
            new[]
            {
                new DialectRoute("openai-chat", "/v1/chat/completions"),
                new DialectRoute("openai-embeddings", "/v1/embeddings", IngressKind.Embeddings),
                new DialectRoute("openai-images", "/v1/images/generations", IngressKind.ImageGeneration),
            },
            D.Routes);
    }

    [Theory]
    [InlineData(400, null, """{"error":{"message":"m","type":"invalid_request_error","code":null,"param":null}}""")]
    [InlineData(401, "invalid_api_key", """{"error":{"message":"m","type":"authentication_error","code":"invalid_api_key","param":null}}""")]
    [InlineData(403, "permission_denied", """{"error":{"message":"m","type":"permission_error","code":"permission_denied","param":null}}""")]
    [InlineData(413, "request_too_large", """{"error":{"message":"m","type":"invalid_request_error","code":"request_too_large","param":null}}""")]
    [InlineData(429, "rate_limited", """{"error":{"message":"m","type":"rate_limit_error","code":"rate_limited","param":null}}""")]
    [InlineData(502, "upstream_error", """{"error":{"message":"m","type":"server_error","code":"upstream_error","param":null}}""")]
    public void Error_body_keeps_the_code_and_types_the_status(int status, string? code, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(D.ErrorBody(status, "m", code)));

    [Fact]
    public void Stream_error_is_a_data_event_then_done() =>
        Assert.Equal(
            "data: {\"error\":{\"message\":\"cut\",\"type\":\"server_error\",\"code\":\"upstream_stream_broken\",\"param\":null}}\n\ndata: [DONE]\n\n",
            Encoding.UTF8.GetString(D.StreamError(502, "cut", "upstream_stream_broken")));

    [Fact]
    public void Model_list_is_an_object_list()
    {
        Assert.Equal(
            """{"object":"list","data":[{"id":"gpt-4o","object":"model","created":0,"owned_by":"openai"},{"id":"claude-sonnet-4-5","object":"model","created":0,"owned_by":"claude"}]}""",
            Write(w => D.WriteModelList(w, [new("gpt-4o", "openai"), new("claude-sonnet-4-5", "claude")])));
        Assert.Equal("""{"object":"list","data":[]}""", Write(w => D.WriteModelList(w, [])));
        Assert.Equal("m", D.ModelIdFromPath("m"));
    }

    [Fact]
    public void Token_count_is_input_tokens() => Assert.Equal("""{"input_tokens":12}""", Write(w => D.WriteTokenCount(w, 12)));

    [Fact]
    public void Usage_scan_reads_the_final_usage_chunk_and_skips_content_chunks()
    {
        using var tap = Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: true);
        tap.Feed("""
            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}

            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":1}}}

            data: [DONE]


            """u8);
        Assert.Equal(new Translation.Ir.IrUsage(11, 3, 4, 1), tap.Complete());
    }

    private static string Write(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(JsonWrite.ToBytes(write));
}
