using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Management;

/// <summary>
/// What the management API grew for the dashboard (issue 17): each request's failover chain in the request log, the
/// account file id of a login account in <c>/accounts</c>, and <c>GET /models</c> with each model's provider chain.
/// </summary>
public sealed class DashboardApiTests
{
    private const string Secret = "dashboard-api-secret";

    private static string Config(string upstream) => $"""
        api-keys: [client-key]
        management:
          secret-key: "{Secret}"
        providers:
          - name: up
            type: openai
            base-url: {upstream}/v1
            api-keys: [sk-busy-1, sk-good-2]
            strategy: fill-first
            models: [m]
          - name: backup
            type: openai
            base-url: {upstream}/v1
            api-keys: [sk-good-3]
            models: [m, other]
          - name: claude
            type: claude
            base-url: {upstream}
            models: [claude-sonnet-4-5]
        routing:
          max-cooldown-wait: 0s
        """;

    private static Task<FakeUpstream> UpstreamAsync() => FakeUpstream.StartAsync(context =>
    {
        if (context.Request.Headers.Authorization.ToString().EndsWith("sk-busy-1", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "600";
            return context.Response.WriteAsync("""{"error":{"message":"slow down, body text never logged","type":"requests"}}""");
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""");
    });

    private static async Task<JsonNode> GetAsync(GatewayFixture gateway, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v0/management" + path);
        request.Headers.Add("X-Management-Key", Secret);
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task A_request_that_failed_over_shows_each_attempt_with_account_status_and_reason()
    {
        await using var upstream = await UpstreamAsync();
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));
        using (var chat = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"m","messages":[]}""", Encoding.UTF8, "application/json") })
        {
            chat.Headers.Add("x-api-key", "client-key");
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(chat)).StatusCode);
        }

        var accounts = (await GetAsync(gateway, "/accounts")).AsArray();
        var busy = accounts.Single(a => a!["last_error"]?.GetValue<string>() == "HTTP 429")!["id"]!.GetValue<string>();
        var request = Assert.Single((await GetAsync(gateway, "/requests")).AsArray())!;
        var chain = request["chain"]!.AsArray();
        Assert.Equal(2, chain.Count);
        Assert.Equal(("up", "m", busy, 429, "http_429", "HTTP 429"), (chain[0]!["provider"]!.GetValue<string>(), chain[0]!["model"]!.GetValue<string>(),
            chain[0]!["account"]!.GetValue<string>(), chain[0]!["status"]!.GetValue<int>(), chain[0]!["outcome"]!.GetValue<string>(), chain[0]!["reason"]!.GetValue<string>()));
        Assert.Equal(("up", 200, "ok"), (chain[1]!["provider"]!.GetValue<string>(), chain[1]!["status"]!.GetValue<int>(), chain[1]!["outcome"]!.GetValue<string>()));
        Assert.Null(chain[1]!["reason"]);
        Assert.NotEqual(busy, chain[1]!["account"]!.GetValue<string>());
        Assert.True(chain[0]!["latency_ms"]!.GetValue<double>() >= 0);
        Assert.Equal("OpenAIChat", chain[1]!["dialect"]!.GetValue<string>());
        Assert.Equal("OpenAIChat", request["dialect"]!.GetValue<string>());
        Assert.InRange(request["first_byte_ms"]!.GetValue<double>(), 0, request["latency_ms"]!.GetValue<double>());
        Assert.Equal(request["account"]!.GetValue<string>(), chain[1]!["account"]!.GetValue<string>());
        Assert.DoesNotContain("never logged", request.ToJsonString(), StringComparison.Ordinal); // metadata only
        Assert.DoesNotContain("sk-", request.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_lists_each_routable_model_with_its_providers_in_order()
    {
        await using var upstream = await UpstreamAsync();
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));

        var models = (await GetAsync(gateway, "/models")).AsArray();

        var m = models.Single(x => x!["model"]!.GetValue<string>() == "m")!["chain"]!.AsArray();
        Assert.Equal(["up", "backup"], m.Select(t => t!["provider"]!.GetValue<string>()));
        Assert.Equal("openai", m[0]!["type"]!.GetValue<string>());
        Assert.Equal("m", m[0]!["upstream_model"]!.GetValue<string>());
        Assert.Equal("backup", Assert.Single(models.Single(x => x!["model"]!.GetValue<string>() == "other")!["chain"]!.AsArray())!["provider"]!.GetValue<string>());
        Assert.Contains(models, x => x!["model"]!.GetValue<string>() == "claude-sonnet-4-5");
    }

    [Fact]
    public async Task A_login_account_carries_its_file_id_and_a_key_none()
    {
        await using var upstream = await UpstreamAsync();
        var dir = Directory.CreateTempSubdirectory("llm-mux-dashboard-api-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "auth"));
        await File.WriteAllTextAsync(Path.Combine(dir, "auth", "claude-ann@example.com.json"),
            """{"type":"claude","email":"ann@example.com","access_token":"sk-ant-oat01-ann","refresh_token":"r","expired":"2099-01-01T00:00:00Z"}""");
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl), dir: dir);

        var accounts = (await GetAsync(gateway, "/accounts")).AsArray();

        var login = accounts.Single(a => a!["provider"]?.GetValue<string>() == "claude")!;
        Assert.Equal("claude-ann@example.com", login["login_id"]!.GetValue<string>());
        Assert.NotEqual("claude-ann@example.com", login["id"]!.GetValue<string>()); // the destination id, which disable does not take
        Assert.All(accounts.Where(a => a!["provider"]?.GetValue<string>() == "up"), a => Assert.Null(a!["login_id"]));
    }
}
