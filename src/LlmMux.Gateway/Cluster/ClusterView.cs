namespace LlmMux.Gateway.Cluster;

/// <summary>
/// <c>GET /v0/management/cluster</c>: whether replicas share state, Redis as this replica sees it, and the members.
/// </summary>
/// <param name="Redis">The Redis endpoint without credentials, or null when the cluster is off.</param>
/// <param name="Connected">Whether this replica reaches Redis now.</param>
/// <param name="Instances">Every member Redis knows (this replica alone when the cluster is off or Redis is away).</param>
internal sealed record ClusterView(
    bool Enabled,
    string? Namespace,
    string? Redis,
    bool Connected,
    long RedisFailures,
    string Self,
    IReadOnlyList<ClusterMemberView> Instances);

internal sealed record ClusterMemberView(string Id, string Name, string Version, string ConfigHash, DateTimeOffset Started, DateTimeOffset LastHeartbeat, bool Stale);

/// <summary>The <c>cluster</c> part of <c>/readyz</c> (present only when the cluster is on). Readiness does not depend on it.</summary>
internal sealed record ClusterReadiness(string Redis, long Failures);
