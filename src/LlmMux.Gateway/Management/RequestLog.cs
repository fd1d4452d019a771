namespace LlmMux.Gateway.Management;

/// <summary>One finished client request, metadata only: never a prompt, an answer, a key or a token.</summary>
/// <param name="UsageEstimated">Some token numbers are llm-mux's estimate: the upstream did not report them.</param>
public sealed record RequestRecord(
    DateTimeOffset Time,
    string Dialect,
    string Model,
    string? Provider,
    string? Account,
    int Status,
    int Attempts,
    double LatencyMs,
    long InputTokens,
    long OutputTokens,
    bool UsageEstimated = false)
{
    /// <summary>The client program (first <c>User-Agent</c> product), e.g. <c>claude-cli/2.1.86</c>.</summary>
    public string? Client { get; init; }

    /// <summary>
    /// The client key it came with, by id (<c>key-1a2b3c4d</c>, as the config's redaction marker names it), never the
    /// key; null when the gateway has no <c>api-keys</c>.
    /// </summary>
    public string? ClientKey { get; init; }

    /// <summary>
    /// From the request's start to the first byte sent to the client, in ms: the time to first token for a stream; null
    /// when nothing was sent (the client went away first).
    /// </summary>
    public double? FirstByteMs { get; init; }

    /// <summary>The conversation id the request carried (<c>routing.session-sources</c>).</summary>
    public string? Session { get; init; }

    /// <summary>In a cluster, the replica that served it (its instance id, as <c>GET /v0/management/cluster</c> lists it).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Instance { get; init; }

    /// <summary>Each upstream attempt in order (the failover chain): metadata only, never a body.</summary>
    public IReadOnlyList<AttemptStep>? Chain { get; init; }
}

/// <summary>One upstream attempt of a request: where it went, how it ended and how long it took.</summary>
/// <param name="Account">The destination id of the account tried; null when none was picked.</param>
/// <param name="Status">The upstream's HTTP status (0 when none came: a transport error).</param>
/// <param name="Outcome">The attempt's outcome tag (<c>ok</c>, <c>http_429</c>, <c>login_unavailable</c>, …).</param>
/// <param name="Reason">Why it failed over, as the log notes it (<c>HTTP 429</c>); null when it did not fail.</param>
public sealed record AttemptStep(string Provider, string Model, string? Account, int Status, string Outcome, string? Reason, double LatencyMs)
{
    /// <summary>The wire format the attempt was sent in (the provider's dialect, e.g. <c>OpenAIChat</c>), beside the client's in <see cref="RequestRecord.Dialect"/>.</summary>
    public string? Dialect { get; init; }
}

/// <summary>The most recent requests, newest first, in a fixed-size ring.</summary>
public sealed class RequestLog
{
    public const int Capacity = 500;
    private readonly RequestRecord?[] _ring = new RequestRecord?[Capacity];
    private readonly Lock _lock = new();
    private int _next;

    /// <summary>Raised for each record added, so a cluster can share it; handlers must be quick (they run on the request's path).</summary>
    public event Action<RequestRecord>? Added;

    /// <summary>Every request this replica finished in the last day, counted per minute (the ring above keeps only the last 500).</summary>
    internal RequestTally Tally { get; } = new();

    public void Add(RequestRecord record)
    {
        Added?.Invoke(record);
        Tally.Add(record);
        lock (_lock)
        {
            _ring[_next] = record;
            _next = (_next + 1) % Capacity;
        }
    }

    public IReadOnlyList<RequestRecord> Recent(int limit)
    {
        lock (_lock)
        {
            var result = new List<RequestRecord>(Math.Min(limit, Capacity));
            for (var i = 1; i <= Capacity && result.Count < limit; i++)
            {
                if (_ring[(_next - i + Capacity) % Capacity] is { } r)
                {
                    result.Add(r);
                }
            }

            return result;
        }
    }
}
