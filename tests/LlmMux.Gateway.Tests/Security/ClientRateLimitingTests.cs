using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Security;

public sealed class ClientRateLimitingTests
{
    [Fact]
    public async Task Each_client_key_has_its_own_requests_per_minute_answered_429_in_its_dialect()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
        });
        await using var gateway = await GatewayFixture.StartAsync($"""
            api-keys: [key-a, key-b]
            limits:
              requests-per-minute: 2
            providers:
              - {"{"} name: up, type: openai, base-url: "{upstream.BaseUrl}/v1", models: [m] {"}"}
            """);

        HttpRequestMessage Chat(string key, string path = "/v1/chat/completions", string body = """{"model":"m","messages":[]}""")
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("x-api-key", key);
            return request;
        }

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat("key-a"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat("key-a"))).StatusCode);
        var refused = await gateway.Client.SendAsync(Chat("key-a", "/v1/messages", """{"model":"m","max_tokens":5,"messages":[]}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("rate_limit_error", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat("key-b"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(3, upstream.Requests.Count(r => r.Method == "POST")); // GETs are the active health probe
    }
}
