using System.Net;
using System.Text;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;

namespace LlmMux.Gateway.Tests.Transforms;

/// <summary>
/// Streams must reach the client event by event. The fake upstream holds back everything after its first event
/// until the client has read that event: a gateway that buffers would never deliver it, and the test fails on its
/// (generous) cancellation rather than on any timing threshold.
/// </summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private static readonly string[] Chunks =
    [
        """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
        """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}""",
        """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"lo é 🚀"},"finish_reason":"stop"}]}""",
    ];

    private readonly TaskCompletionSource _clientSawFirstEvent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeUpstream _upstream = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, Chunks[0]);
            await _clientSawFirstEvent.Task.WaitAsync(context.RequestAborted);
            foreach (var chunk in Chunks.Skip(1))
            {
                await FakeUpstream.SendEventAsync(context, chunk);
            }

            await FakeUpstream.SendEventAsync(context, "[DONE]");
        });
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                api-keys: [sk-up]
                models: [{"{"} name: gpt-4.1, alias: smart {"}"}]
            """);
    }

    public async Task DisposeAsync()
    {
        _clientSawFirstEvent.TrySetResult();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Each_event_reaches_the_client_before_the_upstream_sends_the_next()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"smart","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };

        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        Assert.Equal($"data: {Chunks[0]}", await reader.ReadLineAsync(timeout.Token));
        _clientSawFirstEvent.SetResult();

        var rest = await reader.ReadToEndAsync(timeout.Token);
        var expected = string.Concat(Chunks.Skip(1).Select(c => $"data: {c}\n\n")) + "data: [DONE]\n\n";
        Assert.Equal("\n" + expected, rest);
        Assert.Contains("\"model\":\"gpt-4.1\"", Assert.Single(_upstream.Requests).Body, StringComparison.Ordinal);
    }
}
