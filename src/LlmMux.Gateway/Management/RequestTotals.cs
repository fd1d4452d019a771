namespace LlmMux.Gateway.Management;

/// <summary>Requests finished in a window: how many, how many ended in an error status, their tokens, and how many needed more than one attempt.</summary>
internal sealed record RequestTotals(long Requests, long Errors, long Tokens, long Failovers)
{
    public static readonly RequestTotals None = new(0, 0, 0, 0);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == None;

    public RequestTotals Plus(RequestTotals other) => new(Requests + other.Requests, Errors + other.Errors, Tokens + other.Tokens, Failovers + other.Failovers);
}
