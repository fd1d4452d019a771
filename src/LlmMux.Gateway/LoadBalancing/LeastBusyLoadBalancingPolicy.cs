using LlmMux.Gateway.Health;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>
/// <c>strategy: least-busy</c>: the account with the fewest requests in flight, the first in the list on a tie (as
/// YARP's LeastRequests). In a cluster the count is the fleet's: this replica's own plus what the other replicas last
/// published (<see cref="IFleetLoad"/>); alone, it is this replica's.
/// </summary>
internal sealed class LeastBusyLoadBalancingPolicy(IFleetLoad? fleet = null) : ILoadBalancingPolicy
{
    public string Name => AccountStrategies.LeastBusy;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }

        var best = availableDestinations[0];
        var bestCount = Busy(best);
        for (var i = 1; i < availableDestinations.Count && bestCount > 0; i++)
        {
            var count = Busy(availableDestinations[i]);
            if (count < bestCount)
            {
                (best, bestCount) = (availableDestinations[i], count);
            }
        }

        return best;
    }

    private int Busy(DestinationState destination)
        => destination.ConcurrentRequestCount + (fleet?.Others(destination.DestinationId).InFlight ?? 0);
}
