using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LlmMux.Translation.Tests;

/// <summary>WriteError produces the client dialect's own in-stream error and ends the stream, even mid-answer.</summary>
public sealed class StreamErrorTests
{
    [Theory]
    [InlineData(Dialect.OpenAIChat, "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":\"upstream_broke\",\"param\":null}}\n\ndata: [DONE]\n\n")]
    [InlineData(Dialect.Anthropic, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}\n\n")]
    [InlineData(Dialect.Gemini, "data: {\"error\":{\"code\":500,\"message\":\"boom\",\"status\":\"INTERNAL\"}}\n\n")]
    [InlineData(Dialect.Ollama, "{\"error\":\"boom\"}\n")]
    public void Error_after_some_text_has_the_client_shape(Dialect client, string expectedTail)
    {
        var output = new ArrayBufferWriter<byte>();
        using var t = Translator.Default.CreateStreamTranslator(Dialect.Anthropic, client, new StreamContext { Model = "m" });
        var full = Support.Fixture.Bytes("anthropic/stream_tools.sse");
        t.Feed(full.AsSpan(0, full.Length / 2), output);
        t.WriteError(output, "boom", "upstream_broke");
        t.Complete(output); // no-op once the stream was ended by the error (Complete may not throw now)
        string text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.EndsWith(expectedTail, text, StringComparison.Ordinal);
        Assert.Equal(text.IndexOf(expectedTail, StringComparison.Ordinal), text.LastIndexOf(expectedTail, StringComparison.Ordinal));
    }

    [Fact]
    public void Responses_error_event_carries_code_and_message()
    {
        var output = new ArrayBufferWriter<byte>();
        using var t = Translator.Default.CreateStreamTranslator(Dialect.Anthropic, Dialect.OpenAIResponses, new StreamContext { Model = "m" });
        t.Feed(Support.Fixture.Bytes("anthropic/stream_text.sse").AsSpan(0, 400), output);
        t.WriteError(output, "boom", "upstream_broke");
        var last = Anthropic.AnthropicTests.SseEvents(Encoding.UTF8.GetString(output.WrittenSpan))[^1];
        Assert.Equal("error", last.Event);
        Assert.Equal("upstream_broke", last.Data.GetProperty("code").GetString());
        Assert.Equal("boom", last.Data.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Number, last.Data.GetProperty("sequence_number").ValueKind);
    }
}
