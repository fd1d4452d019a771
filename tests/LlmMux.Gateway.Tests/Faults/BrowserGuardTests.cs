using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// Web pages cannot drive the gateway through the user's browser: DNS rebinding (foreign Host), cross-site requests and
/// WebSocket hijacking (foreign Origin), CORS-free simple requests (non-JSON content type). Each in both auth modes.
/// </summary>
public sealed class BrowserGuardTests : IAsyncLifetime
{
    private const string Chat = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";
    private const string Answer = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeUpstream.StartAsync(async context =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Answer);
    });

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private Task<GatewayFixture> StartAsync(bool keys, string extra = "") => GatewayFixture.StartAsync($"""
        {(keys ? "api-keys: [client-key]" : "api-keys: []")}
        providers:
          - name: up
            type: openai
            base-url: {_upstream.BaseUrl}/v1
            api-keys: [sk-up]
            models: [m]
        {extra}
        """);

    private static HttpRequestMessage Post(bool key, string? contentType = "application/json", string? host = null, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Chat, Encoding.UTF8) };
        request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        if (key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "client-key");
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return request;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sdk_shaped_requests_pass_and_browser_shaped_ones_are_refused_in_their_dialect(bool keys)
    {
        await using var gateway = await StartAsync(keys);
        var port = gateway.Client.BaseAddress!.Port;

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Post(keys))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Post(keys, "application/json; charset=utf-8", host: $"localhost:{port}"))).StatusCode);

        var rebinding = await gateway.Client.SendAsync(Post(keys, host: $"evil.example:{port}"));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, rebinding.StatusCode);
        Assert.Equal("misdirected_request", ErrorCode(await rebinding.Content.ReadAsStringAsync()));

        var crossSite = await gateway.Client.SendAsync(Post(keys, origin: "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal("origin_not_allowed", ErrorCode(await crossSite.Content.ReadAsStringAsync()));
        Assert.False(crossSite.Headers.Contains("Access-Control-Allow-Origin"));

        foreach (var simple in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null })
        {
            var response = await gateway.Client.SendAsync(Post(keys, simple));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }

        // The Anthropic route answers in Anthropic's shape.
        var anthropic = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        anthropic.Headers.Add("x-api-key", "client-key");
        var refused = await gateway.Client.SendAsync(anthropic);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Equal("error", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["type"]!.GetValue<string>());

        Assert.Equal(2, _upstream.Requests.Count); // only the two SDK-shaped calls reached the provider
    }

    [Fact]
    public async Task Health_probes_answer_under_any_host_name()
    {
        await using var gateway = await StartAsync(keys: false);
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "llm-mux";
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Listed_hosts_and_origins_are_served_and_the_origin_gets_cors_headers()
    {
        await using var gateway = await StartAsync(keys: true, """
            security:
              allowed-hosts: ["*.tailnet.example", gateway.lan]
              allowed-origins: ["https://chat.example.com"]
            """);
        var port = gateway.Client.BaseAddress!.Port;

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Post(true, host: $"box.tailnet.example:{port}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Post(true, host: "gateway.lan"))).StatusCode);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await gateway.Client.SendAsync(Post(true, host: "tailnet.example.evil"))).StatusCode);

        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        preflight.Headers.Add("Origin", "https://chat.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var allowed = await gateway.Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://chat.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var call = await gateway.Client.SendAsync(Post(true, origin: "https://chat.example.com"));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal("https://chat.example.com", call.Headers.GetValues("Access-Control-Allow-Origin").Single());

        Assert.Equal(HttpStatusCode.Forbidden, (await gateway.Client.SendAsync(Post(true, origin: "https://chat.example.com.evil.example"))).StatusCode);
    }

    [Fact]
    public async Task A_page_on_the_gateway_itself_may_call_it()
    {
        await using var gateway = await StartAsync(keys: false);
        var self = gateway.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Post(false, origin: self))).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_websocket_upgrade_from_a_foreign_origin_is_refused(bool keys)
    {
        await using var gateway = await StartAsync(keys);
        var uri = new Uri(gateway.Client.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "v1/responses");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var hijack = new ClientWebSocket();
        hijack.Options.SetRequestHeader("Origin", "https://evil.example");
        if (keys)
        {
            hijack.Options.SetRequestHeader("Authorization", "Bearer client-key");
        }

        hijack.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => hijack.ConnectAsync(uri, timeout.Token));
        Assert.Equal(HttpStatusCode.Forbidden, hijack.HttpStatusCode);

        using var codex = new ClientWebSocket();
        if (keys)
        {
            codex.Options.SetRequestHeader("Authorization", "Bearer client-key");
        }

        await codex.ConnectAsync(uri, timeout.Token);
        Assert.Equal(WebSocketState.Open, codex.State);
        await codex.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
    }

    private static string? ErrorCode(string body) => JsonNode.Parse(body)!["error"]!["code"]?.GetValue<string>();
}
