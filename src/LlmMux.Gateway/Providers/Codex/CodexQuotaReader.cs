using System.Net.Http.Headers;
using System.Text.Json;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.Codex;

/// <summary>
/// A ChatGPT plan's windows: every Codex answer carries <c>x-codex-primary-used-percent</c>,
/// <c>-window-minutes</c>, <c>-reset-after-seconds</c> (and <c>secondary-…</c>); <c>GET /backend-api/wham/usage</c>
/// answers <c>rate_limit.primary_window</c>/<c>secondary_window</c> with <c>used_percent</c>,
/// <c>limit_window_seconds</c> and <c>reset_after_seconds</c> or <c>reset_at</c> (epoch seconds).
/// </summary>
internal sealed class CodexQuotaReader : QuotaReader
{
    public static CodexQuotaReader Instance { get; } = new();

    private static readonly string[] Slots = ["primary", "secondary"];

    public override async Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var request = new HttpRequestMessage(HttpMethod.Get, UsageUrl(context.BaseUrl));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Credential.AccessToken);
        if (context.Credential.Details is CodexDetails { ChatGptAccountId: var accountId })
        {
            request.Headers.TryAddWithoutValidation("Chatgpt-Account-Id", accountId);
        }

        using var answer = await SendForJsonAsync(context.Http, request, cancellationToken).ConfigureAwait(false);
        if (answer is null || !answer.RootElement.TryGetProperty("rate_limit", out var limits) || limits.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var windows = new List<QuotaWindow>();
        foreach (var slot in Slots)
        {
            if (!limits.TryGetProperty(slot + "_window", out var window) || Number(window, "used_percent") is not { } used)
            {
                continue;
            }

            var length = Number(window, "limit_window_seconds") is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var reset = Number(window, "reset_at") is { } at and > 0 and < 1e11 ? DateTimeOffset.FromUnixTimeSeconds((long)at)
                : Number(window, "reset_after_seconds") is { } after and >= 0 and < 1e9 ? context.Now + TimeSpan.FromSeconds(after)
                : (DateTimeOffset?)null;
            windows.Add(new QuotaWindow(NameFor(length, slot), FromPercent(used), reset));
        }

        return windows;
    }

    public override IReadOnlyList<QuotaWindow>? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        List<QuotaWindow>? windows = null;
        foreach (var slot in Slots)
        {
            if (HeaderNumber(headers, $"x-codex-{slot}-used-percent") is not { } used)
            {
                continue;
            }

            var length = HeaderNumber(headers, $"x-codex-{slot}-window-minutes") is { } minutes and > 0 ? TimeSpan.FromMinutes(minutes) : (TimeSpan?)null;
            var reset = HeaderNumber(headers, $"x-codex-{slot}-reset-after-seconds") is { } after and >= 0 and < 1e9 ? now + TimeSpan.FromSeconds(after) : (DateTimeOffset?)null;
            (windows ??= []).Add(new QuotaWindow(NameFor(length, slot), FromPercent(used), reset));
        }

        return windows;
    }

    /// <summary>The usage endpoint beside the Codex API: <c>…/backend-api/codex</c> → <c>…/backend-api/wham/usage</c>.</summary>
    internal static string UsageUrl(string baseUrl)
    {
        var root = baseUrl.TrimEnd('/');
        var at = root.IndexOf("/backend-api", StringComparison.Ordinal);
        return at >= 0 ? root[..at] + "/backend-api/wham/usage" : root + "/wham/usage";
    }
}
