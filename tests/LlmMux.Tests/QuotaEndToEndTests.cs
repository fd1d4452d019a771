using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// Quota windows through a real <c>llm-mux serve</c>: two Claude subscription accounts whose usage endpoint (the fake
/// answers <c>GET /api/oauth/usage</c> as Anthropic does, only with the OAuth bearer and the OAuth beta) reports their
/// five-hour and weekly windows. The windows are read lazily once an account is used, routed on
/// (<c>routing.quota-reserve</c>, <c>strategy: quota-aware</c>), and shown by the management API and <c>llm-mux accounts</c>.
/// </summary>
public sealed class QuotaEndToEndTests : IAsyncLifetime
{
    private const string MuxKey = "mux-quota-key";
    private const string Secret = "quota-management-secret";
    private const string TokenA = "sk-ant-oat01-account-a-AAAAAAAA";
    private const string TokenB = "sk-ant-oat01-account-b-BBBBBBBB";
    private const string IdA = "claude-a@example.com";
    private const string IdB = "claude-b@example.com";

    private readonly Dictionary<string, (double Used, TimeSpan ResetIn)> _fiveHour = new(StringComparer.Ordinal);
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private string ConfigPath => Path.Combine(_dir, "llm-mux.yaml");
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-quota-e2e-").FullName;
        var auth = Path.Combine(_dir, "auth");
        Directory.CreateDirectory(auth);
        foreach (var (id, token) in new[] { (IdA, TokenA), (IdB, TokenB) })
        {
            await File.WriteAllTextAsync(Path.Combine(auth, id + ".json"), $$"""
                {"type":"claude","email":"{{id["claude-".Length..]}}","access_token":"{{token}}","refresh_token":"sk-ant-ort-x",
                 "id_token":"","expired":"2030-01-02T03:04:05Z","last_refresh":"2029-12-31T00:00:00Z"}
                """);
        }

        await File.WriteAllTextAsync(ConfigPath, $"""
            api-keys: [{MuxKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: claude
                type: claude
                strategy: quota-aware
                base-url: {_upstream.BaseUrl}
                models: [claude-sonnet-4-5]
            """);
    }

    private async Task StartAsync(double usedA, TimeSpan resetA, double usedB, TimeSpan resetB)
    {
        _fiveHour[TokenA] = (usedA, resetA);
        _fiveHour[TokenB] = (usedB, resetB);
        _gateway = await GatewayProcess.StartAsync(ConfigPath);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_account_at_96_percent_of_its_five_hour_window_is_skipped_while_another_serves()
    {
        // A resets sooner, so quota-aware alone would spend A: only the reserve keeps it out.
        await StartAsync(96, TimeSpan.FromHours(1), 20, TimeSpan.FromHours(3));
        await WarmUpAsync();

        var before = (A: Count(TokenA), B: Count(TokenB));
        for (var i = 0; i < 4; i++)
        {
            await ChatAsync();
        }

        Assert.Equal(before.A, Count(TokenA));
        Assert.Equal(before.B + 4, Count(TokenB));

        // The management API shows the windows.
        var a = await AccountAsync(IdA);
        var window = a["quota"]!.AsArray().Single(w => w!["window"]!.GetValue<string>() == "five-hour")!;
        Assert.Equal(0.96, window["used"]!.GetValue<double>(), 3);
        Assert.True(window["resets_at"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(50));
        Assert.Contains((await AccountAsync(IdA))["quota"]!.AsArray(), w => w!["window"]!.GetValue<string>() == "weekly");
        Assert.Equal("ready", a["state"]!.GetValue<string>()); // near the limit is not a cooldown

        // `llm-mux accounts` shows the column from quota.json beside the auth dir, with no gateway asked.
        var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = Path.Combine(_dir, "auth") };
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await LlmMux.Cli.LlmMuxCli.RunAsync(["accounts", "--config", ConfigPath], env.GetValueOrDefault, output, error));
        var list = output.ToString();
        Assert.Contains("QUOTA", list.Split('\n')[0], StringComparison.Ordinal);
        var row = list.Split('\n').Single(l => l.StartsWith(IdA, StringComparison.Ordinal));
        Assert.Contains("five-hour 96% (", row, StringComparison.Ordinal);
        Assert.Contains("weekly 10% (5d", row, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenA, list, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "quota.json")));
        Assert.False(File.Exists(Path.Combine(_dir, "auth", "quota.json")));
    }

    [Fact]
    public async Task Quota_aware_spends_the_account_whose_window_resets_soonest()
    {
        // B is more used but resets within the hour: its quota would lapse unspent.
        await StartAsync(50, TimeSpan.FromHours(4), 70, TimeSpan.FromMinutes(40));
        await WarmUpAsync();

        var before = (A: Count(TokenA), B: Count(TokenB));
        for (var i = 0; i < 4; i++)
        {
            await ChatAsync();
        }

        Assert.Equal(before.A, Count(TokenA));
        Assert.Equal(before.B + 4, Count(TokenB));
    }

    /// <summary>Uses both accounts (no windows known yet: they take turns) and waits until both reads have landed.</summary>
    private async Task WarmUpAsync()
    {
        for (var round = 0; round < 100; round++)
        {
            if (round < 2 || Count(TokenA) == 0 || Count(TokenB) == 0)
            {
                await ChatAsync();
            }

            if ((await AccountAsync(IdA))["quota"] is JsonArray && (await AccountAsync(IdB))["quota"] is JsonArray)
            {
                return;
            }

            await Task.Delay(100);
        }

        string[] paths;
        lock (_upstream.Requests)
        {
            paths = _upstream.Requests.Select(r => r.PathAndQuery).ToArray();
        }

        Assert.Fail($"the quota windows were never read; upstream saw {string.Join(", ", paths)}; account: {await AccountAsync(IdA)}; quota.json: {(File.Exists(Path.Combine(_dir, "quota.json")) ? File.ReadAllText(Path.Combine(_dir, "quota.json")) : "none")}");
    }

    private async Task ChatAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", MuxKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
    }

    private async Task<JsonNode> AccountAsync(string loginId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v0/management/accounts");
        request.Headers.Add("X-Management-Key", Secret);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "claude/" + loginId)!;
    }

    private int Count(string token)
    {
        lock (_upstream.Requests)
        {
            return _upstream.Requests.Count(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal) && r.Headers["Authorization"] == "Bearer " + token);
        }
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : "";
        if (!_fiveHour.TryGetValue(token, out var fiveHour))
        {
            await JsonAsync(context, 401, """{"type":"error","error":{"type":"authentication_error","message":"invalid token"}}""");
            return;
        }

        switch (context.Request.Path.Value)
        {
            case "/api/oauth/usage" when context.Request.Method == "GET":
                if (!context.Request.Headers["anthropic-beta"].ToString().Split(',').Contains("oauth-2025-04-20"))
                {
                    await JsonAsync(context, 401, """{"type":"error","error":{"type":"authentication_error","message":"OAuth authentication is currently not supported."}}""");
                    return;
                }

                var now = DateTimeOffset.UtcNow;
                await JsonAsync(context, 200, $$"""
                    {"five_hour":{"utilization":{{fiveHour.Used.ToString(CultureInfo.InvariantCulture)}},"resets_at":"{{(now + fiveHour.ResetIn).ToString("O", CultureInfo.InvariantCulture)}}"},
                     "seven_day":{"utilization":10,"resets_at":"{{now.AddDays(5).AddHours(2).ToString("O", CultureInfo.InvariantCulture)}}"},
                     "seven_day_opus":null}
                    """);
                return;
            case "/v1/messages" when context.Request.Query["beta"] == "true":
                await JsonAsync(context, 200, """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}""");
                return;
            default:
                await JsonAsync(context, 404, """{"type":"error","error":{"type":"not_found_error","message":"Not found"}}""");
                return;
        }
    }

    private static async Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }
}
