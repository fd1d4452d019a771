namespace LlmMux.Gateway.Management;

/// <summary><c>GET /v0/management/activity</c>: what this replica is serving at this moment.</summary>
/// <param name="ActiveStreams">Streaming responses being sent now.</param>
/// <param name="RequestsInFlight">LLM requests being served now, streams included.</param>
/// <param name="Instance">In a cluster, this replica's instance id (as <c>GET /cluster</c> lists it); null alone.</param>
internal sealed record ActivityView(long ActiveStreams, long RequestsInFlight, string? Instance);
