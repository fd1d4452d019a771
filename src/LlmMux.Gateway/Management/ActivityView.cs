namespace LlmMux.Gateway.Management;

/// <summary>
/// <c>GET /v0/management/activity</c>: what is being served at this moment and what was finished in the last hour and
/// day. In a cluster whose Redis answers, the fleet's totals with each live replica in <paramref name="Instances"/>;
/// alone, or while Redis is away, this replica's (the scope header says which).
/// </summary>
/// <param name="ActiveStreams">Streaming responses being sent now.</param>
/// <param name="RequestsInFlight">LLM requests being served now, streams included.</param>
/// <param name="Instance">In a cluster, this replica's instance id (as <c>GET /cluster</c> lists it); null alone.</param>
/// <param name="LastHour">Requests finished in the last hour: count, errors, tokens, failovers.</param>
/// <param name="LastDay">The same over the last 24 hours.</param>
/// <param name="Instances">In a cluster whose Redis answers, every live replica that served something in the last day or serves now (this one too); null otherwise.</param>
internal sealed record ActivityView(long ActiveStreams, long RequestsInFlight, string? Instance, RequestTotals LastHour, RequestTotals LastDay, IReadOnlyList<InstanceActivity>? Instances = null);
