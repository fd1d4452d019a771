using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Health;

/// <summary>
/// When a rate-limited upstream says its quota comes back, from every place providers put it: <c>Retry-After</c>
/// (seconds or a date), OpenAI's <c>x-ratelimit-reset-*</c> durations, Anthropic's <c>anthropic-ratelimit-*-reset</c>
/// timestamps, Gemini's <c>RetryInfo.retryDelay</c>, Google's <c>ErrorInfo</c> <c>quotaResetDelay</c>/<c>quotaResetTimeStamp</c>
/// (Antigravity quotas that reset days later) and ChatGPT/Codex <c>resets_in_seconds</c>/<c>resets_at</c>
/// bodies. The value is honoured as given up to <see cref="MaxAhead"/>: a quota that resets in two days is not retried
/// sooner. Every value comes from the upstream, so none may throw: an overflowing or absurd one becomes
/// <see cref="MaxAhead"/> from now.
/// </summary>
public static partial class RateLimitResets
{
    /// <summary>30 days: past the longest real quota window (weekly and monthly plans), short enough that a broken
    /// upstream cannot park an account for ever.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(30);

    private static readonly string[] OpenAIKinds = ["requests", "tokens"];
    private static readonly string[] AnthropicKinds = ["requests", "tokens", "input-tokens", "output-tokens"];

    public static DateTimeOffset? Find(HttpResponseHeaders headers, string body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var found = FromRetryAfter(headers, now)
            ?? FromLimitHeaders(headers, now, "x-ratelimit-reset-", "x-ratelimit-remaining-", OpenAIKinds, ParseGoDuration)
            ?? FromLimitHeaders(headers, now, "anthropic-ratelimit-", "anthropic-ratelimit-", AnthropicKinds, ParseTimestamp, resetSuffix: "-reset", remainingSuffix: "-remaining")
            ?? FromBody(body ?? "", now);
        return found is { } at ? Clamp(at, now) : null;
    }

    private static DateTimeOffset? FromRetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return AddSeconds(now, delta.TotalSeconds);
        }

        return retryAfter.Date;
    }

    private static DateTimeOffset Clamp(DateTimeOffset at, DateTimeOffset now)
    {
        var latest = AddSeconds(now, MaxAhead.TotalSeconds);
        return at > latest ? latest : at;
    }

    /// <summary><paramref name="now"/> plus <paramref name="seconds"/>, at most <see cref="MaxAhead"/> later, without
    /// the overflow <see cref="TimeSpan.FromSeconds(double)"/> and <see cref="DateTimeOffset"/> addition would throw.</summary>
    private static DateTimeOffset AddSeconds(DateTimeOffset now, double seconds)
    {
        if (double.IsNaN(seconds) || seconds <= 0)
        {
            return now;
        }

        var ahead = seconds >= MaxAhead.TotalSeconds ? MaxAhead : TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.MaxValue - now < ahead ? DateTimeOffset.MaxValue : now + ahead;
    }

    private static DateTimeOffset? FromLimitHeaders(
        HttpResponseHeaders headers, DateTimeOffset now, string resetPrefix, string remainingPrefix, string[] kinds,
        Func<string, DateTimeOffset, DateTimeOffset?> parse, string resetSuffix = "", string remainingSuffix = "")
    {
        DateTimeOffset? exhausted = null, earliest = null;
        foreach (var kind in kinds)
        {
            if (!headers.TryGetValues(resetPrefix + kind + resetSuffix, out var resets) || parse(resets.First(), now) is not { } reset)
            {
                continue;
            }

            earliest = earliest is null || reset < earliest ? reset : earliest;
            if (headers.TryGetValues(remainingPrefix + kind + remainingSuffix, out var remaining) && remaining.First().Trim() == "0")
            {
                exhausted = exhausted is null || reset > exhausted ? reset : exhausted;
            }
        }

        // The limit that ran out decides; without that hint the soonest reset is the safe first retry.
        return exhausted ?? earliest;
    }

    private static DateTimeOffset? FromBody(string body, DateTimeOffset now)
    {
        if (FromGoogleQuota(body, now) is { } quotaReset)
        {
            return quotaReset;
        }

        if (RetryDelay().Match(body) is { Success: true } delay
            && double.TryParse(delay.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return AddSeconds(now, seconds);
        }

        if (ResetsInSeconds().Match(body) is { Success: true } resetsIn
            && double.TryParse(resetsIn.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var inSeconds))
        {
            return AddSeconds(now, inSeconds);
        }

        if (ResetsAt().Match(body) is { Success: true } resetsAt)
        {
            // Digits only, so a failed parse means too many of them: far in the future.
            var unix = long.TryParse(resetsAt.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u : long.MaxValue;
            return unix > now.ToUnixTimeSeconds() + (long)MaxAhead.TotalSeconds
                ? AddSeconds(now, MaxAhead.TotalSeconds)
                : DateTimeOffset.FromUnixTimeSeconds(Math.Max(unix, 0));
        }

        return null;
    }

    /// <summary>
    /// Google's quota errors (Antigravity, Code Assist) name the reset in their <c>google.rpc.ErrorInfo</c> metadata:
    /// <c>quotaResetDelay</c> as a Go duration (<c>"167h59m3s"</c>, a week away) and <c>quotaResetTimeStamp</c> as
    /// RFC 3339, next to <c>RetryInfo.retryDelay</c>. The latest of what it says is when the quota is back.
    /// </summary>
    private static DateTimeOffset? FromGoogleQuota(string body, DateTimeOffset now)
    {
        DateTimeOffset? latest = null;
        if (QuotaResetDelay().Match(body) is { Success: true } delay && ParseGoDuration(delay.Groups[1].Value, now) is { } afterDelay)
        {
            latest = afterDelay;
        }

        if (QuotaResetTimeStamp().Match(body) is { Success: true } stamp && ParseTimestamp(stamp.Groups[1].Value, now) is { } at && (latest is null || at > latest))
        {
            latest = at;
        }

        if (latest is not null && RetryDelay().Match(body) is { Success: true } retry
            && double.TryParse(retry.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && AddSeconds(now, seconds) is var afterRetry && afterRetry > latest)
        {
            latest = afterRetry;
        }

        return latest;
    }

    [GeneratedRegex("\"quotaResetDelay\"\\s*:\\s*\"([0-9.hms]{1,64})\"")]
    private static partial Regex QuotaResetDelay();

    [GeneratedRegex("\"quotaResetTimeStamp\"\\s*:\\s*\"([0-9A-Za-z:.+-]{1,64})\"")]
    private static partial Regex QuotaResetTimeStamp();

    private static DateTimeOffset? ParseTimestamp(string value, DateTimeOffset now)
        => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>OpenAI writes durations the Go way: <c>20ms</c>, <c>1s</c>, <c>6m0s</c>, <c>1h2m3.5s</c>.</summary>
    internal static DateTimeOffset? ParseGoDuration(string value, DateTimeOffset now)
    {
        var match = GoDuration().Match(value.Trim());
        if (!match.Success || match.Length == 0)
        {
            return null;
        }

        double total = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = UnitOf().Match(part.Value).Value;
            var number = double.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
            total += unit switch { "h" => number * 3600, "m" => number * 60, "ms" => number / 1000, _ => number };
        }

        return AddSeconds(now, total);
    }

    [GeneratedRegex(@"^(?<part>\d+(?:\.\d+)?(?:ms|h|m|s))+$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"(ms|h|m|s)$")]
    private static partial Regex UnitOf();

    // Google writes decimal seconds; an exponent ("1e20s") is read too, so an absurd value is clamped, not ignored.
    [GeneratedRegex("\"retryDelay\"\\s*:\\s*\"([0-9.]+(?:[eE][+-]?[0-9]+)?)s\"")]
    private static partial Regex RetryDelay();

    [GeneratedRegex("\"resets_in_seconds\"\\s*:\\s*([0-9.]+(?:[eE][+-]?[0-9]+)?)")]
    private static partial Regex ResetsInSeconds();

    [GeneratedRegex("\"resets_at\"\\s*:\\s*([0-9]+)")]
    private static partial Regex ResetsAt();
}
