using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Tests.Providers.Antigravity;

/// <summary>fetchAvailableModels' per-model quotaInfo read as one window per quota family.</summary>
public sealed class AntigravityQuotaReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private const string Answer = """
        {"models":{
          "claude-sonnet-4-5":{"displayName":"Claude Sonnet 4.5","quotaInfo":{"remainingFraction":0.4,"resetTime":"2026-12-10T12:00:00Z"}},
          "claude-opus-4-5-thinking":{"displayName":"Claude Opus 4.5","quotaInfo":{"remainingFraction":0.25,"resetTime":"2026-12-10T11:00:00Z"}},
          "gemini-3-pro-high":{"quotaInfo":{"remainingFraction":1,"resetTime":"2026-12-03T17:00:00Z"}},
          "gemini-3-flash":{"quotaInfo":{"resetTime":"2026-12-03T13:30:00Z"}},
          "chat_20706":{"quotaInfo":{"remainingFraction":0.1,"resetTime":"2026-12-03T13:00:00Z"}},
          "tab_flash_lite_preview":{"quotaInfo":{"remainingFraction":0.5}},
          "gemini-2.5-flash-lite":{"displayName":"no quota info"}
        }}
        """;

    [Fact]
    public async Task Each_family_is_one_window_as_spent_as_its_most_spent_model_with_its_reset()
    {
        using var handler = new Handler(HttpStatusCode.OK, Answer);
        using var http = new HttpClient(handler);
        var login = new UpstreamCredential("ya29.ag", null) { Details = new AntigravityDetails("ag-proj-1") };
        var reader = ProviderTypes.Get("antigravity").Quota!;

        var windows = await reader.ReadAsync(new QuotaReadContext(http, login, "https://fake.example/", Now), default);

        Assert.NotNull(windows);
        var claude = Assert.Single(windows, w => w.Name == "claude-*");
        Assert.Equal(0.75, claude.UsedFraction, 6);
        Assert.Equal(new DateTimeOffset(2026, 12, 10, 11, 0, 0, TimeSpan.Zero), claude.ResetsAt);
        Assert.Equal(["claude-opus-4-5-thinking", "claude-sonnet-4-5"], claude.Models);
        var pro = Assert.Single(windows, w => w.Name == "gemini-*-pro*");
        Assert.Equal(0, pro.UsedFraction);
        // An exhausted model's quotaInfo has only its reset time.
        var flash = Assert.Single(windows, w => w.Name == "gemini-*-flash*");
        Assert.Equal(1, flash.UsedFraction);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 13, 30, 0, TimeSpan.Zero), flash.ResetsAt);
        Assert.DoesNotContain(windows, w => w.Models!.Any(m => m.StartsWith("chat_", StringComparison.Ordinal) || m.StartsWith("tab_", StringComparison.Ordinal)));

        var sent = Assert.Single(handler.Requests);
        Assert.Equal("https://fake.example/v1internal:fetchAvailableModels", sent.Uri);
        Assert.Equal("Bearer ya29.ag", sent.Authorization);
        Assert.Equal(AntigravityIdentity.UserAgent, sent.UserAgent);
        Assert.Equal("ag-proj-1", JsonNode.Parse(sent.Body)!["project"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":{"code":401}}""")]
    [InlineData(HttpStatusCode.OK, "not json")]
    [InlineData(HttpStatusCode.OK, """{"models":[]}""")]
    [InlineData(HttpStatusCode.OK, """{"models":{}}""")]
    public async Task An_answer_with_no_quota_in_it_reports_nothing(HttpStatusCode status, string body)
    {
        using var handler = new Handler(status, body);
        using var http = new HttpClient(handler);

        var windows = await ProviderTypes.Get("antigravity").Quota!.ReadAsync(new QuotaReadContext(http, new UpstreamCredential("t", null), "https://fake.example", Now), default);

        Assert.Null(windows);
    }

    private sealed record Sent(string Uri, string? Authorization, string UserAgent, string Body);

    private sealed class Handler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public List<Sent> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new Sent(request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), string.Join(' ', request.Headers.GetValues("User-Agent")),
                await request.Content!.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }
}
