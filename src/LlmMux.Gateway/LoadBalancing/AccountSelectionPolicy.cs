using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LlmMux.Gateway.Forwarding;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>
/// Picks the account for an attempt by the provider's <c>strategy</c>. YARP has already removed unhealthy
/// destinations from the list, and does not call a policy when only one is left.
/// </summary>
internal sealed class AccountSelectionPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "llm-mux-accounts";

    private readonly ConcurrentDictionary<string, StrongBox<uint>> _counters = new(StringComparer.Ordinal);

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var attempt = context.Features.Get<AttemptFeature>();
        if (attempt?.Request.SessionKey is { } session)
        {
            return Sticky(session, availableDestinations);
        }

        return (attempt?.Target.Provider.Strategy ?? "round-robin") switch
        {
            "fill-first" => FirstInConfigOrder(cluster, availableDestinations),
            "least-busy" => availableDestinations.MinBy(d => d.ConcurrentRequestCount),
            _ => RoundRobin(cluster, availableDestinations),
        };
    }

    /// <summary>
    /// Rendezvous hashing: each conversation ranks the accounts by hash and takes the best available one, so it stays
    /// on one account, and moves only when that account is cooling or gone (and then back once it returns).
    /// </summary>
    private static DestinationState Sticky(string session, IReadOnlyList<DestinationState> available)
    {
        var sessionHash = StringComparer.Ordinal.GetHashCode(session);
        return available.MaxBy(d => (uint)HashCode.Combine(sessionHash, StringComparer.Ordinal.GetHashCode(d.DestinationId)))!;
    }

    private DestinationState RoundRobin(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var counter = _counters.GetOrAdd(cluster.ClusterId, _ => new StrongBox<uint>());
        var next = Interlocked.Increment(ref counter.Value);
        return available[(int)((next - 1) % (uint)available.Count)];
    }

    private static DestinationState FirstInConfigOrder(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        // Accounts keep the order of the file; YARP's own list is keyed by id, so restore that order here.
        var order = cluster.Model.Config.Destinations?.Keys.ToList() ?? [];
        return available.MinBy(d => order.IndexOf(d.DestinationId) is var i && i >= 0 ? i : int.MaxValue)!;
    }
}
