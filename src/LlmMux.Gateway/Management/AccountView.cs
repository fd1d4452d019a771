namespace LlmMux.Gateway.Management;

/// <summary>One row of <c>GET /v0/management/accounts</c>.</summary>
/// <param name="Provider">Null for a login account that serves no provider now (disabled, expired, or no provider of its type).</param>
/// <param name="ExpiresAt">Access-token expiry of a login account (refreshed before it passes); null for keys and copilot.</param>
/// <param name="FleetInFlight">In a cluster, the requests the other replicas have in flight on it (as last read); absent alone.</param>
/// <param name="Quota">The quota windows its provider last reported (not yet reset); null when it reported none.</param>
internal sealed record AccountView(
    string Id, string? Provider, string Type, string State, DateTimeOffset? CooldownUntil, IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    long InFlight, long RequestsLastMinute, long RequestsLastHour, long RequestsLastDay, long TokensLastDay, long? LearnedRequestsPerMinute, string? LastError,
    DateTimeOffset? ExpiresAt, RefreshView? Refresh = null, IReadOnlyList<QuotaWindowView>? Quota = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? FleetInFlight = null);

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
