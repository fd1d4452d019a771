using System.Threading.RateLimiting;

namespace LlmMux.Gateway.Cluster;

/// <summary>Makes the per-client-key limiters of a cluster (<see cref="FleetRateLimiter"/>); registered only when the cluster is on.</summary>
internal sealed class FleetRateLimits(RedisLink link)
{
    public RateLimiter Create(string partition, int limit, SlidingWindowRateLimiterOptions local)
        => new FleetRateLimiter(link, partition, limit, local.Window, new SlidingWindowRateLimiter(local));
}
