namespace LlmMux.Gateway.Management;

/// <summary>One row of <c>GET /v0/management/accounts</c>.</summary>
/// <param name="Provider">Null for a login account that serves no provider now (disabled, expired, or no provider of its type).</param>
/// <param name="ExpiresAt">Access-token expiry of a login account (refreshed before it passes); null for keys and copilot.</param>
/// <param name="Fleet">In a cluster, its load over the whole fleet (this replica and what the others last reported); absent alone.</param>
/// <param name="Quota">The quota windows its provider last reported (not yet reset); null when it reported none.</param>
/// <param name="LoginId">The account file's id (what <c>/accounts/{id}/disable</c> takes) of a login account; null for a key.</param>
internal sealed record AccountView(
    string Id, string? Provider, string Type, string State, DateTimeOffset? CooldownUntil, IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    long InFlight, long RequestsLastMinute, long RequestsLastHour, long RequestsLastDay, long TokensLastDay, long? LearnedRequestsPerMinute, string? LastError,
    DateTimeOffset? ExpiresAt, RefreshView? Refresh = null, IReadOnlyList<QuotaWindowView>? Quota = null, string? LoginId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] FleetLoadView? Fleet = null);

/// <summary>One quota window of an account: <paramref name="Used"/> is 0–1.</summary>
internal sealed record QuotaWindowView(string Window, double Used, DateTimeOffset? ResetsAt, IReadOnlyList<string>? Models)
{
    public static IReadOnlyList<QuotaWindowView>? Of(LlmMux.Gateway.Quota.AccountQuota? quota, DateTimeOffset now)
    {
        var windows = quota?.Windows.Where(w => w.ResetsAt is not { } reset || reset > now)
            .Select(w => new QuotaWindowView(w.Name, Math.Round(w.UsedFraction, 4), w.ResetsAt, w.Models)).ToList();
        return windows is { Count: > 0 } ? windows : null;
    }
}

/// <summary>An account's load over the fleet: the columns of <see cref="AccountView"/> summed over the replicas, the highest learned limit.</summary>
internal sealed record FleetLoadView(long InFlight, long RequestsLastMinute, long RequestsLastHour, long RequestsLastDay, long TokensLastDay, long? LearnedRequestsPerMinute)
{
    public static FleetLoadView Of(long inFlight, LlmMux.Gateway.Health.AccountStatus own, LlmMux.Gateway.Health.FleetAccountLoad others) => new(
        inFlight + others.InFlight,
        own.RequestsLastMinute + others.RequestsLastMinute,
        own.RequestsLastHour + others.RequestsLastHour,
        own.RequestsLastDay + others.RequestsLastDay,
        own.TokensLastDay + others.TokensLastDay,
        own.LearnedRequestsPerMinute is { } a && others.LearnedPerMinute is { } b ? Math.Max(a, b) : own.LearnedRequestsPerMinute ?? others.LearnedPerMinute);
}
