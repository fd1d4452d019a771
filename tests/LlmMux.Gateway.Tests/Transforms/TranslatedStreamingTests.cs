using System.Net;
using System.Text;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;

namespace LlmMux.Gateway.Tests.Transforms;

/// <summary>
/// Translated streams flush per event too: the OpenAI upstream holds back everything after its first event until the
/// client has received bytes of it, in every client dialect. A buffering translator never delivers those bytes, and
/// the test fails on its (generous) cancellation, not on a timing threshold.
/// </summary>
public sealed class TranslatedStreamingTests
{
    private const string First = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""";
    private const string Second = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}""";

    [Theory]
    [InlineData("/v1/messages", """{"model":"m","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", "message_stop")]
    [InlineData("/v1/responses", """{"model":"m","stream":true,"input":"hi"}""", "response.completed")]
    [InlineData("/v1beta/models/m:streamGenerateContent?alt=sse", """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", "STOP")]
    [InlineData("/v1beta/models/m:streamGenerateContent", """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", "]")]
    [InlineData("/api/chat", """{"model":"m","messages":[{"role":"user","content":"hi"}]}""", "\"done\":true")]
    [InlineData("/v1/completions", """{"model":"m","prompt":"hi","stream":true}""", "[DONE]")]
    public async Task Each_translated_event_reaches_the_client_before_the_upstream_sends_the_next(string path, string body, string ending)
    {
        var clientGotBytes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, First);
            await clientGotBytes.Task.WaitAsync(context.RequestAborted);
            await FakeUpstream.SendEventAsync(context, Second);
            await FakeUpstream.SendEventAsync(context, "[DONE]");
        });
        await using var gateway = await GatewayFixture.StartAsync($"""
            providers:
              - {"{"} name: up, type: openai, base-url: "{upstream.BaseUrl}/v1", models: [m] {"}"}
            """);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        using var response = await gateway.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        Assert.True(read > 0);
        clientGotBytes.SetResult();
        using var rest = new StreamReader(stream);
        var all = Encoding.UTF8.GetString(buffer, 0, read) + await rest.ReadToEndAsync(timeout.Token);

        Assert.Contains("Hel", all, StringComparison.Ordinal);
        Assert.Contains("lo", all, StringComparison.Ordinal);
        Assert.Contains(ending, all.TrimEnd(), StringComparison.Ordinal);
    }
}
