namespace LlmMux.Gateway.Management;

/// <summary>One row of <c>GET /v0/management/quota</c>: an account that is cooling down, whole or for some models.</summary>
internal sealed record QuotaView(string Id, string State, DateTimeOffset? CooldownUntil, IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns, long? LearnedRequestsPerMinute);
