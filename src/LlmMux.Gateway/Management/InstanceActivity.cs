namespace LlmMux.Gateway.Management;

/// <summary>What one replica is serving at this moment, and what it finished in the last hour and day.</summary>
/// <param name="Instance">The replica's instance id, as <c>GET /cluster</c> lists it.</param>
/// <param name="ActiveStreams">Streaming responses being sent now.</param>
/// <param name="RequestsInFlight">LLM requests being served now, streams included.</param>
/// <param name="LastHour">Requests finished in the last hour (<see cref="RequestTally"/>).</param>
/// <param name="LastDay">Requests finished in the last 24 hours.</param>
internal sealed record InstanceActivity(string Instance, long ActiveStreams, long RequestsInFlight, RequestTotals LastHour, RequestTotals LastDay)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdle => ActiveStreams == 0 && RequestsInFlight == 0 && LastDay.IsEmpty;

    /// <summary>This replica now.</summary>
    public static InstanceActivity Of(string instance, Telemetry.GatewayMetrics metrics, RequestLog log, DateTimeOffset now)
    {
        var (hour, day) = log.Tally.LastHourAndDay(now);
        return new(instance, metrics.ActiveStreams, metrics.RequestsInFlight, hour, day);
    }

    public InstanceActivity Plus(InstanceActivity other)
        => new(Instance, ActiveStreams + other.ActiveStreams, RequestsInFlight + other.RequestsInFlight, LastHour.Plus(other.LastHour), LastDay.Plus(other.LastDay));
}
