using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// Every rule kind of llm-mux.yaml through the real <c>llm-mux serve</c>: payload rules, excluded models, error rules
/// and model pools, against an OpenAI-compatible fake with two keys and an Anthropic fake. The fakes answer like the
/// real APIs (a body without model or messages is a 400; Anthropic wants max_tokens).
/// </summary>
public sealed class RulesEndToEndTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _anthropic = null!;
    private GatewayProcess _gateway = null!;
    private HttpClient _client = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync(OpenAIAsync);
        _anthropic = await FakeUpstream.StartAsync(AnthropicAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-rules-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, Config(_openai.BaseUrl, _anthropic.BaseUrl));
        _gateway = await GatewayProcess.StartAsync(config);
        _client = new HttpClient { BaseAddress = new Uri(_gateway.BaseUrl) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "client-key");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _anthropic.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    internal static string KeyId(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 4));

    private static string Config(string openai, string anthropic) => $$"""
        api-keys: [client-key]
        providers:
          - name: a
            type: openai
            base-url: {{openai}}/v1
            api-keys: [ka1, ka2]
            strategy: fill-first
            models: [chat-m, plain-m, excluded-m, flaky-m, quota-m, maint-m, pool-m1, gone-m]
            excluded-models: ["gone-*"]
            accounts:
              {{KeyId("ka1")}}: { excluded-models: [excluded-m] }
          - name: b
            type: anthropic
            base-url: {{anthropic}}
            api-keys: [kb]
            models: [claude-pool, claude-direct]
        payload:
          default:
            - models: [chat-m]
              params: { temperature: 0.25, top_p: 0.9 }
          override:
            - models: ["chat-*"]
              inbound: openai-chat
              upstream: openai
              params: { service_tier: priority, "metadata.source": llm-mux }
            - upstream: anthropic
              params: { top_k: 5 }
          filter:
            - models: [chat-m]
              params: [user]
        error-rules:
          - status: 400
            contains: temporarily overloaded
            action: next
          - status: 400
            regex: "quota (exhausted|exceeded)"
            action: cooldown
            cooldown: 1h
            scope: model
          - status: 503
            contains: maintenance
            action: stop
        routing:
          pools:
            pooled: [a/pool-m1, b/claude-pool]
        """;

    private static async Task OpenAIAsync(HttpContext context, RecordedRequest request)
    {
        var body = JsonNode.Parse(request.Body)!;
        var model = body["model"]?.GetValue<string>();
        if (model is null || body["messages"] is not JsonArray)
        {
            await ErrorAsync(context, 400, "you must provide a model parameter and messages");
            return;
        }

        var key = request.Headers["Authorization"]["Bearer ".Length..];
        switch (model, key)
        {
            case ("flaky-m", "ka1"):
                await ErrorAsync(context, 400, "The server is temporarily overloaded, try again");
                return;
            case ("quota-m", "ka1"):
                await ErrorAsync(context, 400, "Daily quota exhausted for this key");
                return;
            case ("maint-m", _):
                await ErrorAsync(context, 503, "down for maintenance");
                return;
            case ("pool-m1", _):
                await ErrorAsync(context, 429, "rate limit reached");
                return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$$"""{"id":"c1","object":"chat.completion","created":1,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"from {{{key}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");
    }

    private static async Task AnthropicAsync(HttpContext context, RecordedRequest request)
    {
        var body = JsonNode.Parse(request.Body)!;
        if (body["max_tokens"] is null || body["messages"] is not JsonArray || body["model"] is null)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("""{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}""");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$$"""{"id":"msg_1","type":"message","role":"assistant","model":"{{{body["model"]}}}","content":[{"type":"text","text":"from anthropic"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":2}}""");
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error" } }));
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> ChatAsync(string model, string extra = "")
    {
        using var response = await _client.PostAsync("/v1/chat/completions",
            new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]""" + extra + "}", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static List<(string Key, JsonNode Body)> Sent(FakeUpstream upstream, string model)
    {
        lock (upstream.Requests)
        {
            return upstream.Requests
                .Select(r => (Key: r.Headers.GetValueOrDefault("Authorization") ?? r.Headers.GetValueOrDefault("x-api-key") ?? "", Body: JsonNode.Parse(r.Body)!))
                .Where(r => r.Body["model"]?.GetValue<string>() == model)
                .ToList();
        }
    }

    private static string Content(JsonNode? body) => body!["choices"]![0]!["message"]!["content"]!.GetValue<string>();

    [Fact]
    public async Task Payload_rules_set_defaults_force_overrides_and_remove_fields_of_the_upstream_body()
    {
        var (status, body) = await ChatAsync("chat-m", ""","temperature":0.7,"user":"end-user-1","response_format":{"type":"text"}""");

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        var sent = Assert.Single(Sent(_openai, "chat-m")).Body;
        Assert.Equal(0.7, sent["temperature"]!.GetValue<double>()); // the client's value: a default only fills a gap
        Assert.Equal(0.9, sent["top_p"]!.GetValue<double>());
        Assert.Equal("priority", sent["service_tier"]!.GetValue<string>());
        Assert.Equal("llm-mux", sent["metadata"]!["source"]!.GetValue<string>());
        Assert.Equal("text", sent["response_format"]!["type"]!.GetValue<string>());
        Assert.Null(sent["user"]);
    }

    [Fact]
    public async Task Payload_rules_scoped_to_an_upstream_type_apply_to_the_translated_body_only()
    {
        var (status, body) = await ChatAsync("claude-direct");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("from anthropic", Content(body));
        var sent = Assert.Single(Sent(_anthropic, "claude-direct")).Body;
        Assert.Equal(5, sent["top_k"]!.GetValue<int>());
        Assert.Null(sent["service_tier"]); // the openai-only override did not follow the request there
    }

    [Fact]
    public async Task An_account_never_gets_a_model_it_excludes_and_a_provider_exclusion_hides_the_model()
    {
        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await ChatAsync("excluded-m");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("from ka2", Content(body)); // fill-first would pick ka1, which excludes it
        }

        Assert.All(Sent(_openai, "excluded-m"), r => Assert.Equal("Bearer ka2", r.Key));

        var (goneStatus, _) = await ChatAsync("gone-m");
        Assert.Equal(HttpStatusCode.NotFound, goneStatus);
        Assert.Empty(Sent(_openai, "gone-m"));

        var list = JsonNode.Parse(await _client.GetStringAsync("/v1/models"))!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        Assert.Contains("chat-m", list);
        Assert.Contains("excluded-m", list); // ka2 still serves it
        Assert.Contains("pooled", list);
        Assert.DoesNotContain("gone-m", list);
    }

    [Fact]
    public async Task An_error_rule_next_tries_the_next_account_for_an_error_that_would_go_back_to_the_client()
    {
        var (status, body) = await ChatAsync("flaky-m");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("from ka2", Content(body));
        Assert.Equal(["Bearer ka1", "Bearer ka2"], Sent(_openai, "flaky-m").Select(r => r.Key));
    }

    [Fact]
    public async Task An_error_rule_cooldown_rests_the_model_on_that_account()
    {
        var first = await ChatAsync("quota-m");
        var second = await ChatAsync("quota-m");

        Assert.Equal("from ka2", Content(first.Body));
        Assert.Equal("from ka2", Content(second.Body));
        // ka1 was asked once: its quota answer rested quota-m there, so the second request went straight to ka2
        Assert.Equal(["Bearer ka1", "Bearer ka2", "Bearer ka2"], Sent(_openai, "quota-m").Select(r => r.Key));

        // the rest is for that model only: ka1 still serves the others (fill-first picks it first)
        var other = await ChatAsync("plain-m");
        Assert.Equal("from ka1", Content(other.Body));
    }

    [Fact]
    public async Task An_error_rule_stop_returns_the_error_without_trying_another_account()
    {
        var (status, body) = await ChatAsync("maint-m");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("maintenance", body!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(Sent(_openai, "maint-m")); // built in, a 503 would have moved on to ka2
    }

    [Fact]
    public async Task A_pool_fails_over_from_one_provider_and_model_to_another()
    {
        var (status, body) = await ChatAsync("pooled");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("from anthropic", Content(body));
        Assert.Equal("pooled", body!["model"]!.GetValue<string>()); // the client's name, not a member's
        Assert.Equal(2, Sent(_openai, "pool-m1").Count); // both keys were rate limited
        var sent = Assert.Single(Sent(_anthropic, "claude-pool")).Body;
        Assert.Equal(5, sent["top_k"]!.GetValue<int>()); // the member's upstream type picks its payload rules
    }
}
