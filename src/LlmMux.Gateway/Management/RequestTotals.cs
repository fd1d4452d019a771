namespace LlmMux.Gateway.Management;

/// <summary>Requests finished in a window: how many, how many ended in an error status, their tokens, and how many needed more than one attempt.</summary>
// A struct: one is made per finished request, on the request path.
internal readonly record struct RequestTotals(long Requests, long Errors, long Tokens, long Failovers)
{
    public static readonly RequestTotals None;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == None;

    public RequestTotals Plus(RequestTotals other) => new(Requests + other.Requests, Errors + other.Errors, Tokens + other.Tokens, Failovers + other.Failovers);
}
