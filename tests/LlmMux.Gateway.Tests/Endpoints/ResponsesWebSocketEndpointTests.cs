using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Endpoints;

/// <summary>The Responses API over WebSocket (the Codex CLI's default transport), against an OpenAI Chat upstream.</summary>
public sealed class ResponsesWebSocketEndpointTests
{
    [Fact]
    public async Task Two_turns_on_one_connection_each_stream_their_events_as_frames()
    {
        await using var upstream = await StreamingUpstreamAsync();
        await using var gateway = await StartAsync(upstream, "");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer client-key");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new Uri(gateway.Client.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "v1/responses"), timeout.Token);

        Assert.Equal("One", await TurnAsync(socket, "first", timeout.Token));
        Assert.Equal("Two", await TurnAsync(socket, "second", timeout.Token));
        Assert.Equal(2, upstream.Requests.Count(r => r.Method == "POST")); // GETs are the active health probe
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
    }

    [Theory]
    [InlineData("?key=client-key", null, null)]
    [InlineData("", "x-goog-api-key", "client-key")]
    [InlineData("", "x-api-key", "client-key")]
    public async Task Frames_are_served_wherever_the_client_put_its_key(string query, string? header, string? value)
    {
        await using var upstream = await StreamingUpstreamAsync();
        await using var gateway = await StartAsync(upstream, "api-keys: [sk-up]");
        using var socket = new ClientWebSocket();
        if (header is not null)
        {
            socket.Options.SetRequestHeader(header, value);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new Uri(gateway.Client.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "v1/responses" + query), timeout.Token);

        Assert.Equal("One", await TurnAsync(socket, "first", timeout.Token));
        Assert.Equal("Bearer sk-up", Assert.Single(upstream.Requests).Headers["Authorization"]);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
    }

    [Fact]
    public async Task A_plain_get_is_told_to_upgrade_or_post()
    {
        await using var gateway = await GatewayFixture.StartAsync("providers: []\n");
        var response = await gateway.Client.GetAsync("/v1/responses");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("websocket_required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>An OpenAI Chat upstream that streams "One", or "Two" when the prompt says "second".</summary>
    private static Task<FakeUpstream> StreamingUpstreamAsync() => FakeUpstream.StartAsync(async (context, request) =>
    {
        var answer = request.Body.Contains("second", StringComparison.Ordinal) ? "Two" : "One";
        context.Response.ContentType = "text/event-stream";
        await FakeUpstream.SendEventAsync(context, $$"""{"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"content":"{{answer}}"},"finish_reason":null}]}""");
        await FakeUpstream.SendEventAsync(context, """{"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""");
        await FakeUpstream.SendEventAsync(context, "[DONE]");
    });

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string upstreamKeys) => GatewayFixture.StartAsync($"""
        api-keys: [client-key]
        providers:
          - name: up
            type: openai
            base-url: {upstream.BaseUrl}/v1
            {upstreamKeys}
            models: [{"{"} name: up-model, alias: codex-model {"}"}]
        """);

    private static async Task<string> TurnAsync(ClientWebSocket socket, string prompt, CancellationToken cancel)
    {
        var frame = $$"""{"type":"response.create","model":"codex-model","instructions":"be brief","input":[{"role":"user","content":[{"type":"input_text","text":"{{prompt}}"}]}],"tools":[],"store":false,"stream":true}""";
        await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, cancel);
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancel);
            Assert.True(result.EndOfMessage);
            var e = JsonNode.Parse(buffer.AsSpan(0, result.Count))!;
            switch (e["type"]!.GetValue<string>())
            {
                case "response.output_text.delta":
                    text.Append(e["delta"]!.GetValue<string>());
                    break;
                case "response.completed":
                    return text.ToString();
                case "error":
                    Assert.Fail(e.ToJsonString());
                    break;
            }
        }
    }
}
