using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>
/// The first available account in file order, until it cools down: one account's prompt cache stays warm. Not YARP's
/// <c>FirstAlphabetical</c>, which orders by destination id (a hash of the key), not by the file.
/// </summary>
internal sealed class FillFirstLoadBalancingPolicy : ILoadBalancingPolicy
{
    public string Name => AccountStrategies.FillFirst;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        // The cluster's destinations are a dictionary built in file order; its enumeration keeps that order.
        var order = cluster.Model.Config.Destinations?.Keys ?? [];
        foreach (var id in order)
        {
            foreach (var destination in availableDestinations)
            {
                if (string.Equals(destination.DestinationId, id, StringComparison.Ordinal))
                {
                    return destination;
                }
            }
        }

        return availableDestinations[0];
    }
}
