using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// Every management route once through the real `llm-mux serve` process. In-process tests cover the behaviour in
/// depth; this one exists so that the published Native AOT binary (LLM_MUX_TEST_BINARY) is proven to bind and write
/// each route's JSON, which only source-generated metadata can do there. And usage by client key, which only the real
/// process can show surviving a restart in its usage.jsonl.
/// </summary>
public sealed class ManagementEndToEndTests : IAsyncLifetime
{
    private const string Secret = "e2e-management-secret";
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private string _config = "";
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-mgmt-e2e-").FullName;
        _config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(_config, $"""
            api-keys: [client-key, other-client-key]
            management:
              secret-key: "{Secret}"
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                api-keys: [sk-upstream]
                models: [gpt-4.1]
              - {"{"} name: claude, type: claude, models: [claude-sonnet-4-5] {"}"}
            """);
        _gateway = await GatewayProcess.StartAsync(_config);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> CallAsync(HttpMethod method, string path, string? body = null, string secret = Secret)
    {
        using var request = new HttpRequestMessage(method, _gateway.BaseUrl + "/v0/management" + path);
        request.Headers.Add("X-Management-Key", secret);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Every_route_answers_through_the_real_process()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(HttpMethod.Get, "/accounts", secret: "wrong")).Status);
        Assert.Contains("pbkdf2$", await File.ReadAllTextAsync(_config), StringComparison.Ordinal);

        await ChatAsync("client-key");

        var (status, uploaded) = await CallAsync(HttpMethod.Post, "/accounts", """{"type":"claude","email":"e2e@example.com","access_token":"tok","refresh_token":"r","expired":"2099-01-01T00:00:00Z"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("claude-e2e@example.com", uploaded!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Post, "/accounts/claude-e2e@example.com/disable")).Status);

        var (_, accounts) = await CallAsync(HttpMethod.Get, "/accounts");
        var disabled = Assert.Single(accounts!.AsArray(), a => a!["id"]!.GetValue<string>() == "claude-e2e@example.com");
        Assert.Equal("disabled", disabled!["state"]!.GetValue<string>());
        Assert.StartsWith("2099-01-01", disabled["expires_at"]!.GetValue<string>(), StringComparison.Ordinal);

        var (_, requests) = await CallAsync(HttpMethod.Get, "/requests?limit=10");
        var seen = Assert.Single(requests!.AsArray(), r => r!["model"]!.GetValue<string>() == "gpt-4.1");
        Assert.Equal(200, seen!["status"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Get, "/quota")).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Get, "/usage")).Status);
        var (configStatus, config) = await CallAsync(HttpMethod.Get, "/config");
        Assert.Equal(HttpStatusCode.OK, configStatus);
        Assert.DoesNotContain(Secret, config!.ToJsonString(), StringComparison.Ordinal);
        var shown = config["yaml"]!.GetValue<string>();
        Assert.DoesNotContain("sk-upstream", shown, StringComparison.Ordinal); // every secret is a marker (H3)
        Assert.DoesNotContain("client-key", shown, StringComparison.Ordinal);
        Assert.Contains("<redacted:key-", shown, StringComparison.Ordinal);

        var (invalidStatus, invalid) = await CallAsync(HttpMethod.Post, "/config/validate", "port: 70000\n");
        Assert.Equal(HttpStatusCode.BadRequest, invalidStatus);
        Assert.False(invalid!["valid"]!.GetValue<bool>());
        var replaced = config["yaml"]!.GetValue<string>().Replace("models: [gpt-4.1]", "models: [gpt-4.1, gpt-4.1-mini]", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Put, "/config", replaced)).Status);
        Assert.Contains("sk-upstream", await File.ReadAllTextAsync(_config), StringComparison.Ordinal);
        var (refusedStatus, refused) = await CallAsync(HttpMethod.Put, "/config", replaced.Replace(_upstream.BaseUrl, "http://127.0.0.1:1", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, refusedStatus);
        Assert.Contains("providers[up].base-url", refused!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using (var models = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v1/models"))
        {
            models.Headers.Add("Authorization", "Bearer client-key");
            using var list = await _http.SendAsync(models);
            Assert.Contains("gpt-4.1-mini", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (loginStatus, login) = await CallAsync(HttpMethod.Post, "/logins", """{"provider":"martian"}""");
        Assert.Equal(HttpStatusCode.BadRequest, loginStatus);
        Assert.Contains("unknown provider 'martian'", login!["errors"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(HttpMethod.Delete, "/accounts/claude-e2e@example.com")).Status);

        // Last, as it locks guessing out: the sixth wrong secret in a row is 429 with Retry-After (M1), while the
        // admin's secret, which passed above, still works.
        for (var i = 0; i < 5; i++)
        {
            await CallAsync(HttpMethod.Get, "/quota", secret: $"guess-{i}");
        }

        using var locked = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v0/management/quota");
        locked.Headers.Add("X-Management-Key", "guess-5");
        using var answer429 = await _http.SendAsync(locked);
        Assert.Equal(HttpStatusCode.TooManyRequests, answer429.StatusCode);
        Assert.NotNull(answer429.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Get, "/quota")).Status);
    }

    [Fact]
    public async Task Two_client_keys_usage_shows_up_apart_by_key_id_and_survives_a_restart()
    {
        await ChatAsync("client-key");
        await ChatAsync("client-key");
        await ChatAsync("other-client-key");
        await ExpectUsageByKeyAsync();

        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        Assert.DoesNotContain("client-key", await File.ReadAllTextAsync(Path.Combine(_dir, "usage.jsonl")), StringComparison.Ordinal);
        _gateway = await GatewayProcess.StartAsync(_config);
        await ExpectUsageByKeyAsync();
    }

    private async Task ExpectUsageByKeyAsync()
    {
        // A request is counted just after its answer's last byte: polled for, not raced.
        var until = DateTime.UtcNow.AddSeconds(30);
        JsonArray rows;
        while ((rows = (await CallAsync(HttpMethod.Get, "/usage")).Body!.AsArray()).Sum(r => r!["requests"]!.GetValue<long>()) < 3 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.DoesNotContain("client-key", rows.ToJsonString(), StringComparison.Ordinal);
        var byKey = rows.ToDictionary(r => r!["client_key"]!.GetValue<string>(),
            r => (r!["requests"]!.GetValue<long>(), r["input_tokens"]!.GetValue<long>(), r["output_tokens"]!.GetValue<long>()));
        Assert.Equal(2, byKey.Count);
        Assert.Equal((2L, 10L, 4L), byKey[IdOf("client-key")]);
        Assert.Equal((1L, 5L, 2L), byKey[IdOf("other-client-key")]);
    }

    private async Task ChatAsync(string key)
    {
        using var chat = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/chat/completions");
        chat.Headers.Add("Authorization", "Bearer " + key);
        chat.Content = new StringContent("""{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");
        using var answer = await _http.SendAsync(chat);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    /// <summary>The id the gateway names a client key by: <c>key-</c> and the first 8 hex digits of its SHA-256.</summary>
    private static string IdOf(string key) => "key-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
}
