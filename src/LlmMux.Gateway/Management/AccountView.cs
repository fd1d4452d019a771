namespace LlmMux.Gateway.Management;

/// <summary>One row of <c>GET /v0/management/accounts</c>.</summary>
/// <param name="Provider">Null for a login account that serves no provider now (disabled, expired, or no provider of its type).</param>
/// <param name="ExpiresAt">Access-token expiry of a login account (refreshed before it passes); null for keys and copilot.</param>
internal sealed record AccountView(
    string Id, string? Provider, string Type, string State, DateTimeOffset? CooldownUntil, IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    long InFlight, long RequestsLastMinute, long RequestsLastHour, long RequestsLastDay, long TokensLastDay, long? LearnedRequestsPerMinute, string? LastError,
    DateTimeOffset? ExpiresAt, RefreshView? Refresh = null);
