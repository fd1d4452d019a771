using System.Buffers;
using System.IO.Hashing;
using System.Text;
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
        var session = context.Features.Get<LlmRequest>()?.SessionKey;
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
        // A stable hash (not string.GetHashCode, which is seeded per process): the same conversation ranks the accounts
        // the same way after a restart and on every replica, so its prompt cache stays where it was built.
        var sessionHash = (long)StableHash(session, 0);
        var best = available[0];
        var bestScore = StableHash(best.DestinationId, sessionHash);
        for (var i = 1; i < available.Count; i++)
        {
            var score = StableHash(available[i].DestinationId, sessionHash);
            if (score > bestScore)
            {
                best = available[i];
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>XxHash3 of the UTF-8 bytes: one hash for any process, machine or version of .NET.</summary>
    internal static ulong StableHash(string text, long seed)
    {
        const int StackLimit = 1024;
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > StackLimit ? ArrayPool<byte>.Shared.Rent(max) : null;
        try
        {
            Span<byte> buffer = rented is null ? stackalloc byte[StackLimit] : rented;
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return XxHash3.HashToUInt64(buffer[..length], seed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
