namespace LlmMux.Gateway.Health;

/// <summary>
/// What the other replicas of a cluster last reported about an account: its in-flight requests and its request and
/// token counts per window. Registered only in a cluster; alone, every count is this replica's.
/// </summary>
public interface IFleetLoad
{
    /// <summary>The other replicas' load on <paramref name="destinationId"/> (zeros when none is known).</summary>
    FleetAccountLoad Others(string destinationId);
}

/// <summary>Summed over the other live replicas; <paramref name="LearnedPerMinute"/> is the highest any of them learned.</summary>
public readonly record struct FleetAccountLoad(
    int InFlight, long RequestsLastMinute, long RequestsLastHour, long RequestsLastDay, long TokensLastDay, long? LearnedPerMinute)
{
    public bool IsEmpty => this == default;

    /// <summary>Adds one replica's report; the learned limit is the fleet's highest, not a sum.</summary>
    public FleetAccountLoad Plus(FleetAccountLoad other) => new(
        InFlight + other.InFlight,
        RequestsLastMinute + other.RequestsLastMinute,
        RequestsLastHour + other.RequestsLastHour,
        RequestsLastDay + other.RequestsLastDay,
        TokensLastDay + other.TokensLastDay,
        LearnedPerMinute is { } a && other.LearnedPerMinute is { } b ? Math.Max(a, b) : LearnedPerMinute ?? other.LearnedPerMinute);
}
