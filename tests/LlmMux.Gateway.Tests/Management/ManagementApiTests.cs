using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Management;

public sealed class ManagementApiTests
{
    private const string Secret = "mgmt-secret-123";

    private static string Config(string upstream, string secret = Secret) => $"""
        api-keys: [client-key]
        management:
          secret-key: "{secret}"   # plaintext on purpose: llm-mux must hash it
        providers:
          - name: up
            type: openai
            base-url: {upstream}/v1
            api-keys: [sk-up-1, sk-up-2]
            strategy: fill-first
            models: [m]
        routing:
          max-cooldown-wait: 0s
        """;

    private static async Task<FakeUpstream> UpstreamAsync() => await FakeUpstream.StartAsync(context =>
    {
        if (context.Request.Headers.Authorization.ToString().EndsWith("sk-up-1", StringComparison.Ordinal) && context.Request.Headers["x-test-429"].Count == 0)
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "600";
            return context.Response.WriteAsync("{}");
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""");
    });

    private static HttpRequestMessage Management(HttpMethod method, string path, string? key = Secret, string? body = null)
    {
        var request = new HttpRequestMessage(method, "/v0/management" + path);
        if (key is not null)
        {
            request.Headers.Add("X-Management-Key", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/yaml");
        }

        return request;
    }

    private static async Task ChatAsync(GatewayFixture gateway)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"m","messages":[]}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", "client-key");
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Without_a_secret_every_management_route_is_404()
    {
        await using var gateway = await GatewayFixture.StartAsync("providers: []\n");
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/accounts"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/config", key: null))).StatusCode);
    }

    [Fact]
    public async Task A_plaintext_secret_is_hashed_in_the_file_and_only_the_right_secret_gets_in()
    {
        await using var upstream = await UpstreamAsync();
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));

        var file = await File.ReadAllTextAsync(gateway.ConfigPath);
        Assert.DoesNotContain(Secret, file, StringComparison.Ordinal);
        Assert.Contains("secret-key: \"pbkdf2$", file, StringComparison.Ordinal);
        Assert.Contains("# plaintext on purpose", file, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/accounts", key: null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/accounts", key: "wrong"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/accounts", key: "client-key"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/accounts"))).StatusCode);
        var bearer = Management(HttpMethod.Get, "/accounts", key: null);
        bearer.Headers.Add("Authorization", "Bearer " + Secret);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(bearer)).StatusCode);
    }

    [Theory]
    [InlineData(null, false, 404)]
    [InlineData("pbkdf2", false, 403)]
    [InlineData("pbkdf2", true, 401)]
    public void Remote_callers_are_refused_unless_allowed(string? secret, bool allowRemote, int expected)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        var options = new ManagementOptions { SecretKey = secret is null ? "" : ManagementSecret.Hash(Secret), AllowRemote = allowRemote };
        Assert.Equal(expected, ManagementSecretHandler.Check(http, options));
        http.Request.Headers["X-Management-Key"] = Secret;
        Assert.Equal(allowRemote ? null : expected, ManagementSecretHandler.Check(http, options));
    }

    [Fact]
    public async Task Accounts_quota_usage_and_requests_show_what_happened()
    {
        await using var upstream = await UpstreamAsync();
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));
        await ChatAsync(gateway); // key 1: 429 for 10 minutes, key 2 serves with 7 + 3 tokens

        var accounts = JsonNode.Parse(await (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/accounts"))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(2, accounts.Count);
        var limited = accounts.Single(a => a!["model_cooldowns"]!.AsObject().Count > 0)!;
        Assert.Equal("HTTP 429", limited["last_error"]!.GetValue<string>());
        var serving = accounts.Single(a => a!["model_cooldowns"]!.AsObject().Count == 0)!;
        Assert.Equal(10, serving["tokens_last_day"]!.GetValue<long>());
        Assert.DoesNotContain("sk-up", accounts.ToJsonString(), StringComparison.Ordinal);

        var quota = JsonNode.Parse(await (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/quota"))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(limited["id"]!.GetValue<string>(), Assert.Single(quota)!["id"]!.GetValue<string>());

        var usage = JsonNode.Parse(await (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/usage"))).Content.ReadAsStringAsync())!.AsArray();
        var row = Assert.Single(usage)!;
        Assert.Equal((1L, 7L, 3L), (row["requests"]!.GetValue<long>(), row["input_tokens"]!.GetValue<long>(), row["output_tokens"]!.GetValue<long>()));

        var requests = JsonNode.Parse(await (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/requests"))).Content.ReadAsStringAsync())!.AsArray();
        var last = Assert.Single(requests)!;
        Assert.Equal(("m", 200, 2), (last["model"]!.GetValue<string>(), last["status"]!.GetValue<int>(), last["attempts"]!.GetValue<int>()));
        // The client key by its id (as the config's redaction marker names it), never the key itself.
        Assert.Equal(GatewaySnapshot.AccountIdFor("client-key"), last["client_key"]!.GetValue<string>());
        Assert.DoesNotContain("client-key", requests.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_counts_a_stream_while_it_is_being_sent()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"o\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            await release.Task;
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl).Replace("api-keys: [sk-up-1, sk-up-2]", "api-keys: [sk-up-2]", StringComparison.Ordinal));
        async Task<JsonNode> ActivityAsync()
        {
            using var answer = await gateway.Client.SendAsync(Management(HttpMethod.Get, "/activity"));
            Assert.Equal("replica", answer.Headers.GetValues(ManagementEndpoints.ScopeHeader).Single());
            return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        }

        Assert.Equal(0, (await ActivityAsync())["active_streams"]!.GetValue<long>());
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", "client-key");
        using var stream = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        var during = await ActivityAsync();
        Assert.Equal((1L, 1L), (during["active_streams"]!.GetValue<long>(), during["requests_in_flight"]!.GetValue<long>()));

        release.SetResult();
        Assert.Contains("[DONE]", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        JsonNode after;
        for (var i = 0; (after = await ActivityAsync())["active_streams"]!.GetValue<long>() != 0 && i < 100; i++)
        {
            await Task.Delay(50); // the request's bookkeeping ends just after its last byte
        }

        Assert.Equal((0L, 0L), (after["active_streams"]!.GetValue<long>(), after["requests_in_flight"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Usage_survives_a_restart()
    {
        await using var upstream = await UpstreamAsync();
        var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));
        gateway.DeleteDirOnDispose = false;
        await ChatAsync(gateway);
        var dir = gateway.Dir;
        var config = await File.ReadAllTextAsync(gateway.ConfigPath);
        await gateway.DisposeAsync();

        await using var restarted = await GatewayFixture.StartAsync(config, dir: dir);
        var usage = JsonNode.Parse(await (await restarted.Client.SendAsync(Management(HttpMethod.Get, "/usage"))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(10, Assert.Single(usage)!["input_tokens"]!.GetValue<long>() + usage[0]!["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_config_replaced_through_the_api_is_validated_written_and_applied_at_once()
    {
        await using var upstream = await UpstreamAsync();
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));
        var current = JsonNode.Parse(await (await gateway.Client.SendAsync(Management(HttpMethod.Get, "/config"))).Content.ReadAsStringAsync())!;
        var yaml = current["yaml"]!.GetValue<string>();
        // Secrets come back as markers (H3); the comments and the rest of the layout as written.
        Assert.DoesNotContain("sk-up-1", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("client-key", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("pbkdf2$", yaml, StringComparison.Ordinal);
        Assert.Contains("# plaintext on purpose", yaml, StringComparison.Ordinal);
        Assert.Contains(ConfigRedaction.Marker("sk-up-1"), yaml, StringComparison.Ordinal);

        var bad = await gateway.Client.SendAsync(Management(HttpMethod.Put, "/config", body: yaml + "\nbogus: 1\n"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("bogus", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var good = await gateway.Client.SendAsync(Management(HttpMethod.Put, "/config", body: yaml.Replace("models: [m]", "models: [m, m2]", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var echoed = JsonNode.Parse(await good.Content.ReadAsStringAsync())!["yaml"]!.GetValue<string>();
        Assert.DoesNotContain("sk-up-1", echoed, StringComparison.Ordinal);
        Assert.Contains(ConfigRedaction.Marker("sk-up-1"), echoed, StringComparison.Ordinal);
        var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        models.Headers.Add("x-api-key", "client-key");
        Assert.Contains("\"m2\"", await (await gateway.Client.SendAsync(models)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var file = await File.ReadAllTextAsync(gateway.ConfigPath);
        Assert.Contains("m2", file, StringComparison.Ordinal);
        Assert.Contains("sk-up-1", file, StringComparison.Ordinal); // the markers became the secrets again
        await ChatAsync(gateway); // and the keys still serve
    }
}
