using System.Net;
using System.Text;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// A reverse proxy or tunnel on the same machine connects from 127.0.0.1 for anyone: such requests are not local, so
/// neither the no-key mode nor the loopback-only Code Assist routes let them in; with keys, every LLM route needs one.
/// </summary>
public sealed class ForwardedCallerTests
{
    private const string CodeAssist = """{"model":"m","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}}""";

    private static HttpRequestMessage Post(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static async Task<(FakeUpstream Upstream, GatewayFixture Gateway)> StartAsync(string keys)
    {
        var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
        });
        var gateway = await GatewayFixture.StartAsync($"""
            api-keys: [{keys}]
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}/v1
                api-keys: [sk-up]
                models: [m]
            """);
        return (upstream, gateway);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("Via", "1.1 cloudflared")]
    [InlineData("CF-Connecting-IP", "203.0.113.9")]
    [InlineData("X-Real-IP", "203.0.113.9")]
    public async Task In_no_key_mode_a_proxied_request_is_remote_and_refused(string header, string value)
    {
        var (upstream, gateway) = await StartAsync("");
        await using var _ = upstream;
        await using var __ = gateway;

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Post("/v1/chat/completions", """{"model":"m","messages":[]}"""))).StatusCode);
        var proxied = await gateway.Client.SendAsync(Post("/v1/chat/completions", """{"model":"m","messages":[]}""", (header, value)));
        Assert.Equal(HttpStatusCode.Forbidden, proxied.StatusCode);
        Assert.Contains("proxy or tunnel", await proxied.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var codeAssist = await gateway.Client.SendAsync(Post("/v1internal:generateContent", CodeAssist, (header, value)));
        Assert.Equal(HttpStatusCode.Forbidden, codeAssist.StatusCode);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task With_keys_code_assist_routes_need_one_from_loopback_too_and_reach_no_provider_without_it()
    {
        var (upstream, gateway) = await StartAsync("client-key");
        await using var _ = upstream;
        await using var __ = gateway;

        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.SendAsync(Post("/v1internal:generateContent", CodeAssist))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.SendAsync(Post("/v1internal:loadCodeAssist", "{}"))).StatusCode);
        Assert.Empty(upstream.Requests);

        var withKey = await gateway.Client.SendAsync(Post("/v1internal:generateContent", CodeAssist, ("Authorization", "Bearer client-key")));
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);

        // Loopback-only still holds for a key holder behind a tunnel.
        var tunnelled = await gateway.Client.SendAsync(Post("/v1internal:generateContent", CodeAssist, ("Authorization", "Bearer client-key"), ("X-Forwarded-For", "203.0.113.9")));
        Assert.Equal(HttpStatusCode.Forbidden, tunnelled.StatusCode);
        Assert.Single(upstream.Requests);
    }
}
