using System.Net;
using System.Text;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// An upstream that stalls mid-stream: past <c>routing.upstream-idle-timeout</c> the client gets its dialect's stream
/// error event and a cleanly ended stream (no reset), and the account rests briefly.
/// </summary>
public sealed class StreamFaultTests
{
    private const string Chunk = """{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}""";

    private static async Task<FakeUpstream> StallingUpstreamAsync(TaskCompletionSource release) => await FakeUpstream.StartAsync(async context =>
    {
        context.Response.ContentType = "text/event-stream";
        await FakeUpstream.SendEventAsync(context, Chunk);
        // Silent until the test ends: no sleep decides anything, the gateway's idle watch does.
        await release.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
    });

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream) => GatewayFixture.StartAsync($"""
        providers:
          - name: up
            type: openai
            base-url: {upstream.BaseUrl}/v1
            api-keys: [key-1, key-2]
            strategy: fill-first
            models: [m]
        routing:
          upstream-idle-timeout: 1s
        """);

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "upstream_stream_stalled", "[DONE]")]
    [InlineData("/v1/messages", """{"model":"m","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", "upstream_stream_stalled", "event: error")]
    [InlineData("/api/chat", """{"model":"m","messages":[{"role":"user","content":"hi"}]}""", "upstream_stream_stalled", "\"error\"")]
    public async Task A_stalled_stream_ends_with_the_dialects_error_event_and_the_account_rests(string path, string body, string code, string marker)
    {
        var release = new TaskCompletionSource();
        await using var upstream = await StallingUpstreamAsync(release);
        await using var gateway = await StartAsync(upstream);
        try
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // Reading to the end must not throw: the stream ends, it is not reset.
            var text = await response.Content.ReadAsStringAsync();

            Assert.Contains("Hel", text, StringComparison.Ordinal);
            Assert.Contains(marker, text, StringComparison.Ordinal);
            Assert.Contains("upstream-idle-timeout", text, StringComparison.Ordinal);
            if (path == "/v1/chat/completions")
            {
                Assert.Contains(code, text, StringComparison.Ordinal); // only OpenAI's error shape has a field for the code
            }

            var first = gateway.Store.Current.Providers[0].Accounts[0].DestinationId;
            Assert.Equal(AccountCondition.CoolingDown, gateway.GetService<AccountStateStore>().Status(first).State);
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
