using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>Rules are hot-reloaded like the rest of the file: a new rule applies to the next request, a broken one is
/// refused with its key and line while the rules in effect stay.</summary>
public sealed class RulesReloadEndToEndTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private HttpClient _client = null!;
    private string _dir = "";
    private string _config = "";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-reload-").FullName;
        _config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(_config, Config(""));
        _gateway = await GatewayProcess.StartAsync(_config);
        _client = new HttpClient { BaseAddress = new Uri(_gateway.BaseUrl) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "client-key");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Config(string rules) => $"""
        api-keys: [client-key]
        providers:
          - name: a
            type: openai
            base-url: {_upstream.BaseUrl}/v1
            api-keys: [k1]
            models: [m, n]
        {rules}
        """;

    private async Task<JsonNode> SendAsync(string model)
    {
        var before = _upstream.Requests.Count;
        using var response = await _client.PostAsync("/v1/chat/completions", new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        lock (_upstream.Requests)
        {
            return JsonNode.Parse(_upstream.Requests[before].Body)!;
        }
    }

    /// <summary>Writes the file and waits (bounded) until /readyz reports the next revision or a reload error.</summary>
    private async Task<JsonNode> RewriteAsync(string yaml, Func<JsonNode, bool> done)
    {
        await File.WriteAllTextAsync(_config, yaml);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var ready = JsonNode.Parse(await _client.GetStringAsync("/readyz", timeout.Token))!;
            if (done(ready))
            {
                return ready;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task New_rules_apply_after_a_reload_and_a_broken_one_leaves_them_in_effect()
    {
        var first = await SendAsync("m");
        Assert.Null(first["service_tier"]);
        var revision = JsonNode.Parse(await _client.GetStringAsync("/readyz"))!["revision"]!.GetValue<int>();

        await RewriteAsync(Config("""
            payload:
              override:
                - models: [m]
                  params: { service_tier: flex }
            routing:
              pools:
                both: [a/n, a/m]
            """), r => r["revision"]!.GetValue<int>() > revision);

        Assert.Equal("flex", (await SendAsync("m"))["service_tier"]!.GetValue<string>());
        Assert.Equal("n", (await SendAsync("both"))["model"]!.GetValue<string>());

        var rejected = await RewriteAsync(Config("""
            error-rules:
              - status: 400
                regex: "(unclosed"
                action: next
            """), r => r["last_reload_error"] is not null);
        Assert.NotNull(rejected["last_reload_error"]);
        Assert.Equal("flex", (await SendAsync("m"))["service_tier"]!.GetValue<string>()); // the last good rules
    }
}
