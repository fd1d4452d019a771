using System.Net.Http.Headers;
using System.Text;
using LlmMux.Testing;
using LlmMux.Tests.Connect;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Diagnostics;

/// <summary>
/// <c>llm-mux status</c> through the built CLI against a real <c>serve</c>: one OpenAI-style provider with two keys,
/// the first answering 429 with an hour's Retry-After, so one request fails over and that key cools down.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StatusCommandTests : IAsyncLifetime
{
    private const string Secret = "status-e2e-secret";
    private const string ClientKey = "status-client-key";
    private const string BusyKey = "sk-busy-key-never-shown";
    private const string GoodKey = "sk-good-key-never-shown";
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            if (context.Request.Headers.Authorization == "Bearer " + BusyKey)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "3600";
                await context.Response.WriteAsync("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""");
                return;
            }

            await context.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-status-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{ClientKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                strategy: fill-first
                api-keys: [{BusyKey}, {GoodKey}]
                models: [gpt-4.1]
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<CliResult> StatusAsync(params string[] args) =>
        CliProcess.RunAsync(_dir, new Dictionary<string, string> { ["HOME"] = _dir }, ["status", .. args]);

    [Fact]
    public async Task Shows_the_cooled_account_and_the_failed_over_request()
    {
        await SendOneRequestAsync();

        var run = await StatusAsync("--url", _gateway.BaseUrl, "--secret", Secret);

        Assert.True(run.Code == 0, run.ToString());
        var lines = run.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("ID ", StringComparison.Ordinal) && l.Contains("COOLDOWN", StringComparison.Ordinal) && l.Contains("IN-FLIGHT", StringComparison.Ordinal));
        var accounts = lines.Where(l => l.StartsWith("up/key-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, accounts.Count);
        // A 429 cools the key for the model it was asked for (per-model cooldown), until the hour of Retry-After ends.
        var cooled = Assert.Single(accounts, l => l.Contains(" until ", StringComparison.Ordinal));
        Assert.Matches(@"gpt-4\.1 until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \((59|60)m\)", cooled);
        Assert.Single(accounts, l => !l.Contains(" until ", StringComparison.Ordinal) && l.Contains(" ready ", StringComparison.Ordinal));

        var failover = Assert.Single(lines, l => l.Contains(" -> ", StringComparison.Ordinal));
        Assert.Contains("gpt-4.1", failover, StringComparison.Ordinal);
        Assert.Matches(@"up up/key-\w+ 429 \(.*429.*\) -> up up/key-\w+ 200", failover);
        Assert.DoesNotContain(BusyKey, run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodKey, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_gives_the_same_accounts_and_failover_to_a_script()
    {
        await SendOneRequestAsync();

        var run = await StatusAsync("--url", _gateway.BaseUrl, "--secret", Secret, "--json");

        Assert.True(run.Code == 0, run.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(_gateway.BaseUrl, root.GetProperty("url").GetString());
        var accounts = root.GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal(2, accounts.Count);
        Assert.All(accounts, a => Assert.StartsWith("up/key-", a.GetProperty("id").GetString(), StringComparison.Ordinal));
        // The cooled key names the model and the time its cooldown ends, in UTC, about an hour from now.
        var cooled = Assert.Single(accounts, a => a.TryGetProperty("model_cooldowns", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Object && m.TryGetProperty("gpt-4.1", out _));
        var until = cooled.GetProperty("model_cooldowns").GetProperty("gpt-4.1").GetDateTimeOffset();
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        var failover = Assert.Single(root.GetProperty("failovers").EnumerateArray());
        Assert.Equal("gpt-4.1", failover.GetProperty("model").GetString());
        Assert.Equal([429, 200], failover.GetProperty("chain").EnumerateArray().Select(step => step.GetProperty("status").GetInt32()));
        Assert.DoesNotContain(BusyKey, run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodKey, run.Out, StringComparison.Ordinal);
    }

    private async Task SendOneRequestAsync()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/chat/completions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClientKey);
        request.Content = new StringContent("""{"model":"gpt-4.1","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_in_plain_words()
    {
        var run = await StatusAsync("--url", _gateway.BaseUrl, "--secret", "not-the-secret");

        Assert.Equal(1, run.Code);
        Assert.Contains($"the gateway at {_gateway.BaseUrl} refused the management secret", run.Err, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task A_missing_secret_says_where_to_give_it()
    {
        var run = await CliProcess.RunAsync(_dir, new Dictionary<string, string> { ["HOME"] = _dir, ["LLM_MUX_CONFIG"] = Path.Combine(_dir, "none.yaml") }, "status", "--url", _gateway.BaseUrl, "--config", Path.Combine(_dir, "llm-mux.yaml"));

        // serve hashed the plaintext secret in the file, so the file cannot sign in.
        Assert.Equal(1, run.Code);
        Assert.Contains("needs the management secret: pass --secret or set LLM_MUX_MANAGEMENT_KEY", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_gateway_running_is_an_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nothing listens on

        var run = await CliProcess.RunAsync(_dir, new Dictionary<string, string> { ["HOME"] = _dir, [ "LLM_MUX_MANAGEMENT_KEY"] = Secret }, "status", "--url", $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.Code);
        Assert.Contains($"no gateway answers at http://127.0.0.1:{port} (connection refused); is `llm-mux serve` running?", run.Err, StringComparison.Ordinal);
    }
}
