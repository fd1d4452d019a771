using LlmMux.Gateway.Routing;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// What one client request keeps across its attempts: how many were made, which accounts were tried or refreshed,
/// the cooldown budget, the earliest reset seen and the last failure (for the final error). Owned by the
/// <see cref="FailoverMiddleware"/>; passive health spends the budget, telemetry reads the counts.
/// </summary>
internal sealed class FailoverState
{
    /// <summary>
    /// Cooldowns one request may cause. Upstream failures a request can provoke itself (5xx on odd content, a 403 for
    /// one model, a 429 that gives no reset) cool at most this many accounts, so one request cannot take out a
    /// provider; a credential the upstream rejects, or a 429 with its reset time, always counts.
    /// </summary>
    public const int MaxCooldownsPerRequest = 2;

    private int _cooldownsLeft = MaxCooldownsPerRequest;

    /// <summary>Upstream attempts made so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The provider the loop is on (set before its accounts are looked at, so also when none was free).</summary>
    public RouteTarget? Target { get; set; }

    /// <summary>The last attempt that failed in a way another account may not, with its provider.</summary>
    public AttemptResult.Failure? LastFailure { get; set; }

    public string? LastProvider { get; set; }

    /// <summary>Accounts tried, per upstream model (<see cref="TriedKey"/>): a pool may ask the same account for another model.</summary>
    public HashSet<string> Tried { get; } = new(StringComparer.Ordinal);

    public static string TriedKey(string destinationId, string upstreamModel) => destinationId + "\n" + upstreamModel;

    public HashSet<string> Refreshed { get; } = new(StringComparer.Ordinal);

    /// <summary>Every attempt in order, for the request log's failover chain.</summary>
    public List<Management.AttemptStep> Chain { get; } = [];

    /// <summary>The account to try again right away, after its token was refreshed.</summary>
    public DestinationState? RetrySame { get; set; }

    public DateTimeOffset? EarliestReset { get; private set; }

    /// <summary>Takes one cooldown from the request's budget; false once it is spent.</summary>
    public bool TakeCooldown()
    {
        if (_cooldownsLeft <= 0)
        {
            return false;
        }

        _cooldownsLeft--;
        return true;
    }

    public void NoteReset(DateTimeOffset until)
    {
        if (EarliestReset is null || until < EarliestReset)
        {
            EarliestReset = until;
        }
    }

    /// <summary>After a cooldown wait every account may be tried again.</summary>
    public void StartRound()
    {
        Tried.Clear();
        EarliestReset = null;
    }
}
