namespace LlmMux.Gateway.Management;

/// <summary>
/// <c>GET /v0/management/activity</c>: what is being served at this moment. In a cluster whose Redis answers, the
/// fleet's totals with each serving replica in <paramref name="Instances"/>; alone, or while Redis is away, this
/// replica's (the scope header says which).
/// </summary>
/// <param name="ActiveStreams">Streaming responses being sent now.</param>
/// <param name="RequestsInFlight">LLM requests being served now, streams included.</param>
/// <param name="Instance">In a cluster, this replica's instance id (as <c>GET /cluster</c> lists it); null alone.</param>
/// <param name="Instances">In a cluster whose Redis answers, every replica serving something now (this one too), idle ones left out; null otherwise.</param>
internal sealed record ActivityView(long ActiveStreams, long RequestsInFlight, string? Instance, IReadOnlyList<InstanceActivity>? Instances = null);
