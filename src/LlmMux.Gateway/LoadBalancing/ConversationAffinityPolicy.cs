using LlmMux.Gateway.Ingress;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.SessionAffinity;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>
/// Keeps a conversation on one account whatever the provider's strategy, through YARP's session-affinity step, which
/// runs before load balancing. Rendezvous hashing: each conversation ranks the accounts by hash and takes the best
/// available one, so it moves only while that account is cooling or gone, and comes back once it returns. Nothing is
/// written to the response: the conversation id comes from the request each time.
/// </summary>
internal sealed class ConversationAffinityPolicy : ISessionAffinityPolicy
{
    public const string PolicyName = "llm-mux-conversation";

    /// <summary>The affinity every provider's cluster carries.</summary>
    internal static readonly SessionAffinityConfig Config = new()
    {
        Enabled = true,
        Policy = PolicyName,
        // YARP requires a key name; ours names no cookie or header of its own (the id comes from several).
        AffinityKeyName = "llm-mux-session",
        FailurePolicy = SessionAffinityConstants.FailurePolicies.Redistribute,
    };

    public string Name => PolicyName;

    public AffinityResult FindAffinitizedDestinations(HttpContext context, ClusterState cluster, SessionAffinityConfig config, IReadOnlyList<DestinationState> destinations)
    {
        var session = context.Features.Get<LlmRequestFeature>()?.SessionKey;
        if (session is null || destinations.Count == 0)
        {
            return new AffinityResult(null, AffinityStatus.AffinityKeyNotSet);
        }

        return new AffinityResult([Pick(session, destinations)], AffinityStatus.OK);
    }

    public void AffinitizeResponse(HttpContext context, ClusterState cluster, SessionAffinityConfig config, DestinationState destination)
    {
    }

    internal static DestinationState Pick(string session, IReadOnlyList<DestinationState> available)
    {
        var sessionHash = StringComparer.Ordinal.GetHashCode(session);
        var best = available[0];
        var bestScore = Score(sessionHash, best);
        for (var i = 1; i < available.Count; i++)
        {
            var score = Score(sessionHash, available[i]);
            if (score > bestScore)
            {
                best = available[i];
                bestScore = score;
            }
        }

        return best;

        static uint Score(int sessionHash, DestinationState destination)
            => (uint)HashCode.Combine(sessionHash, StringComparer.Ordinal.GetHashCode(destination.DestinationId));
    }
}
