using System.Net.Http.Headers;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.Claude;

/// <summary>
/// A Claude subscription's windows: <c>GET /api/oauth/usage</c> (OAuth bearer and the OAuth beta) answers
/// <c>five_hour</c>, <c>seven_day</c> and, on some plans, <c>seven_day_opus</c>/<c>seven_day_sonnet</c>, each
/// <c>{utilization: 0–100, resets_at: ISO}</c>; every answer carries the same as
/// <c>anthropic-ratelimit-unified-5h-utilization</c> (0–1) and <c>-5h-reset</c> (epoch seconds), and <c>-7d-…</c>.
/// </summary>
internal sealed class ClaudeQuotaReader : QuotaReader
{
    public static ClaudeQuotaReader Instance { get; } = new();

    private static readonly (string Field, string Name, string[]? Models)[] Windows =
    [
        ("five_hour", "five-hour", null),
        ("seven_day", "weekly", null),
        ("seven_day_opus", "weekly-opus", ["claude-opus-*"]),
        ("seven_day_sonnet", "weekly-sonnet", ["claude-sonnet-*"]),
    ];

    private static readonly (string Header, string Name)[] HeaderWindows = [("5h", "five-hour"), ("7d", "weekly")];

    public override async Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var request = new HttpRequestMessage(HttpMethod.Get, context.BaseUrl.TrimEnd('/') + "/api/oauth/usage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Credential.AccessToken);
        request.Headers.TryAddWithoutValidation("anthropic-beta", ClaudeOAuthProtocol.RequiredBeta);
        using var answer = await SendForJsonAsync(context.Http, request, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            return null;
        }

        var windows = new List<QuotaWindow>();
        foreach (var (field, name, models) in Windows)
        {
            if (answer.RootElement.TryGetProperty(field, out var window) && Number(window, "utilization") is { } utilization)
            {
                windows.Add(new QuotaWindow(name, FromPercent(utilization), Time(window, "resets_at"), models));
            }
        }

        return windows;
    }

    public override IReadOnlyList<QuotaWindow>? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        List<QuotaWindow>? windows = null;
        foreach (var (header, name) in HeaderWindows)
        {
            if (HeaderNumber(headers, $"anthropic-ratelimit-unified-{header}-utilization") is not { } used)
            {
                continue;
            }

            var reset = HeaderNumber(headers, $"anthropic-ratelimit-unified-{header}-reset") is { } seconds and > 0 and < 1e11
                ? DateTimeOffset.FromUnixTimeSeconds((long)seconds)
                : (DateTimeOffset?)null;
            // A fraction; a value above 1 can only be a percentage.
            (windows ??= []).Add(new QuotaWindow(name, used > 1 ? FromPercent(used) : Math.Clamp(used, 0, 1), reset));
        }

        return windows;
    }
}
