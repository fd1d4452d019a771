using System.Net;
using System.Text;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Providers.Copilot;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers.Claude;
using LlmMux.Gateway.Providers.CodeAssist;
using LlmMux.Gateway.Providers.Codex;
using LlmMux.Gateway.Providers.Copilot;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Tests.Quota;

public sealed class QuotaReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Answers one path with one body; everything else 404, as a real API does for an unknown path.</summary>
    private sealed class OneEndpoint(HttpMethod method, string path, string body, Action<HttpRequestMessage>? check = null) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            if (request.Method != method || request.RequestUri!.AbsolutePath != path)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }

            check?.Invoke(request);
            if (request.Content is not null)
            {
                await request.Content.ReadAsStringAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

    private static QuotaReadContext Context(HttpMessageHandler handler, string baseUrl, UpstreamCredential? credential = null) =>
        new(new HttpClient(handler), credential ?? new UpstreamCredential("tok", null), baseUrl, Now);

    [Fact]
    public async Task Claude_usage_endpoint_gives_five_hour_weekly_and_model_windows()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/api/oauth/usage", """
            {"five_hour":{"utilization":42.0,"resets_at":"2026-11-28T14:00:00+00:00"},
             "seven_day":{"utilization":9,"resets_at":"2026-12-03T00:00:00Z"},
             "seven_day_opus":{"utilization":null,"resets_at":null},
             "seven_day_sonnet":{"utilization":12,"resets_at":"2026-12-03T00:00:00Z"}}
            """, r =>
        {
            Assert.Equal("Bearer tok", r.Headers.Authorization!.ToString());
            Assert.Contains("oauth-2025-04-20", r.Headers.GetValues("anthropic-beta"));
        });

        var windows = await ClaudeQuotaReader.Instance.ReadAsync(Context(handler, "http://fake"), default);

        Assert.Equal(["five-hour", "weekly", "weekly-sonnet"], windows!.Select(w => w.Name));
        Assert.Equal(0.42, windows![0].UsedFraction, 3);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 14, 0, 0, TimeSpan.Zero), windows[0].ResetsAt);
        Assert.Equal(["claude-sonnet-*"], windows[2].Models!);
    }

    [Fact]
    public async Task A_quota_endpoint_that_404s_reports_nothing()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/elsewhere", "{}");
        Assert.Null(await ClaudeQuotaReader.Instance.ReadAsync(Context(handler, "http://fake"), default));
        Assert.Null(await CodexQuotaReader.Instance.ReadAsync(Context(handler, "http://fake/backend-api/codex"), default));
    }

    [Fact]
    public async Task A_garbage_answer_reports_nothing()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/api/oauth/usage", "<html>");
        Assert.Null(await ClaudeQuotaReader.Instance.ReadAsync(Context(handler, "http://fake"), default));
    }

    [Fact]
    public void Claude_unified_headers_on_an_answer_give_windows()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-unified-5h-utilization", "0.96");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-unified-5h-reset", Now.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-unified-7d-utilization", "garbage");

        var windows = ClaudeQuotaReader.Instance.FromHeaders(response.Headers, Now);

        var window = Assert.Single(windows!);
        Assert.Equal(("five-hour", 0.96, Now.AddHours(1)), (window.Name, window.UsedFraction, window.ResetsAt!.Value));
    }

    [Fact]
    public void Codex_plan_headers_give_named_windows()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("x-codex-primary-used-percent", "81");
        response.Headers.TryAddWithoutValidation("x-codex-primary-window-minutes", "300");
        response.Headers.TryAddWithoutValidation("x-codex-primary-reset-after-seconds", "600");
        response.Headers.TryAddWithoutValidation("x-codex-secondary-used-percent", "20");
        response.Headers.TryAddWithoutValidation("x-codex-secondary-window-minutes", "10080");

        var windows = CodexQuotaReader.Instance.FromHeaders(response.Headers, Now)!;

        Assert.Equal(("five-hour", 0.81, (DateTimeOffset?)Now.AddMinutes(10)), (windows[0].Name, windows[0].UsedFraction, windows[0].ResetsAt));
        Assert.Equal(("weekly", 0.2, (DateTimeOffset?)null), (windows[1].Name, windows[1].UsedFraction, windows[1].ResetsAt));
        Assert.Null(CodexQuotaReader.Instance.FromHeaders(new HttpResponseMessage().Headers, Now));
    }

    [Fact]
    public async Task Codex_usage_endpoint_beside_the_api_gives_windows_with_the_account_header()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/backend-api/wham/usage", """
            {"plan_type":"plus","rate_limit":{"allowed":true,"limit_reached":false,
             "primary_window":{"used_percent":50,"limit_window_seconds":18000,"reset_after_seconds":3600},
             "secondary_window":{"used_percent":10,"limit_window_seconds":604800,"reset_at":1796000000}}}
            """, r => Assert.Equal("acct-1", Assert.Single(r.Headers.GetValues("Chatgpt-Account-Id"))));

        var windows = await CodexQuotaReader.Instance.ReadAsync(
            Context(handler, "http://fake/backend-api/codex", new UpstreamCredential("tok", null) { Details = new CodexDetails("acct-1") }), default);

        Assert.Equal(("five-hour", 0.5, (DateTimeOffset?)Now.AddHours(1)), (windows![0].Name, windows[0].UsedFraction, windows[0].ResetsAt));
        Assert.Equal(("weekly", 0.1, (DateTimeOffset?)DateTimeOffset.FromUnixTimeSeconds(1796000000)), (windows[1].Name, windows[1].UsedFraction, windows[1].ResetsAt));
    }

    [Fact]
    public async Task Code_assist_quota_gives_one_window_per_model()
    {
        string? sent = null;
        var handler = new OneEndpoint(HttpMethod.Post, "/v1internal:retrieveUserQuota", """
            {"buckets":[{"remainingFraction":0.25,"resetTime":"2026-11-29T00:00:00Z","modelId":"gemini-2.5-pro","tokenType":"REQUESTS"},
                        {"remainingFraction":1,"resetTime":"2026-11-29T00:00:00Z","modelId":"gemini-2.5-flash","tokenType":"REQUESTS"},
                        {"resetTime":"2026-11-29T00:00:00Z","modelId":"broken"}]}
            """, r => sent = r.Content!.ReadAsStringAsync().Result);

        var windows = await CodeAssistQuotaReader.Instance.ReadAsync(
            Context(handler, "http://fake", new UpstreamCredential("tok", null) { Details = new GeminiDetails("proj-7") }), default);

        Assert.Equal("""{"project":"proj-7"}""", sent);
        Assert.Equal(2, windows!.Count);
        Assert.Equal(("gemini-2.5-pro", 0.75), (windows[0].Name, windows[0].UsedFraction));
        Assert.Equal(["gemini-2.5-pro"], windows[0].Models!);
    }

    private const string CopilotSnapshot = """
        {"login":"octo","copilot_plan":"individual","quota_reset_date":"2026-12-01","quota_reset_date_utc":"2026-12-01T00:00:00.000Z",
         "quota_snapshots":{
           "chat":{"entitlement":0,"percent_remaining":100,"unlimited":true,"overage_permitted":false},
           "completions":{"entitlement":2000,"percent_remaining":40,"unlimited":false,"overage_permitted":false},
           "premium_interactions":{"entitlement":300,"remaining":12,"percent_remaining":4,"unlimited":false,"overage_permitted":false}}}
        """;

    [Fact]
    public async Task Copilot_snapshot_is_read_with_the_github_token_beside_the_logins_token_exchange()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/gh/copilot_internal/user", CopilotSnapshot, r =>
        {
            Assert.Equal("token gho-github", r.Headers.Authorization!.ToString());
            Assert.Equal("fake", r.RequestUri!.Host);
        });
        var login = SubscriptionProviders.Default.Get("copilot").DefaultOAuth.WithEndpoint("copilot-token-url", "http://fake/gh/copilot_internal/v2/token");
        var credential = new UpstreamCredential("copilot-session-token", null) { Details = new CopilotDetails("gho-github") };

        var windows = await CopilotQuotaReader.Instance.ReadAsync(Context(handler, "http://copilot-api", credential) with { Login = login }, default);

        // The unlimited chat snapshot is no window; premium requests govern the seat, editor completions route nothing.
        Assert.NotNull(windows);
        Assert.Equal(["completions", "premium"], windows.Select(w => w.Name).Order());
        var premium = windows.Single(w => w.Name == "premium");
        Assert.Equal(0.96, premium.UsedFraction, 3);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), premium.ResetsAt);
        Assert.Null(premium.Models);
        Assert.Empty(windows.Single(w => w.Name == "completions").Models!);
    }

    [Fact]
    public async Task A_copilot_seat_that_may_run_over_shows_its_window_but_is_not_held_back_by_it()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/copilot_internal/user", CopilotSnapshot.Replace("\"remaining\":12,\"percent_remaining\":4,\"unlimited\":false,\"overage_permitted\":false", "\"remaining\":0,\"percent_remaining\":0,\"unlimited\":false,\"overage_permitted\":true", StringComparison.Ordinal));
        var credential = new UpstreamCredential("copilot-session-token", null) { Details = new CopilotDetails("gho-github") };

        var windows = await CopilotQuotaReader.Instance.ReadAsync(Context(handler, "http://fake", credential), default);

        var premium = windows!.Single(w => w.Name == "premium");
        Assert.Equal(1, premium.UsedFraction);
        Assert.Empty(premium.Models!);
    }

    [Fact]
    public async Task Copilot_without_its_github_token_reads_nothing_and_the_token_never_prints()
    {
        var handler = new OneEndpoint(HttpMethod.Get, "/copilot_internal/user", CopilotSnapshot);

        Assert.Null(await CopilotQuotaReader.Instance.ReadAsync(Context(handler, "http://fake"), default));
        Assert.Equal(0, handler.Calls);
        var credential = new UpstreamCredential("copilot-session-token", null) { Details = new CopilotDetails("gho-github") };
        Assert.DoesNotContain("gho-github", credential.ToString(), StringComparison.Ordinal);
    }
}
