using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Quota;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>
/// <c>strategy: quota-aware</c>: among the accounts that may serve, the one whose quota window for the model resets
/// soonest, so quota that would lapse unused is spent first (the least used on a tie or without reset times).
/// Accounts that report no quota come after those that do, and get a background read so they are known next time;
/// when none does, the accounts take turns.
/// </summary>
internal sealed class QuotaAwareLoadBalancingPolicy(QuotaStateStore store, QuotaPoller? poller = null) : ILoadBalancingPolicy
{
    private int _turn;

    public string Name => AccountStrategies.QuotaAware;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }

        if (context.Features.Get<AttemptFeature>() is { } attempt)
        {
            DestinationState? best = null;
            (DateTimeOffset Reset, double Used) bestKey = default;
            foreach (var destination in availableDestinations)
            {
                var account = attempt.Request.Snapshot.FindAccount(destination.DestinationId);
                var quotaKey = account is null ? destination.DestinationId : QuotaPoller.KeyFor(account);
                if (store.For(quotaKey, attempt.Target.UpstreamModel) is not { } quota)
                {
                    if (account is not null && store.Get(quotaKey) is null)
                    {
                        // Never read: read it now (in the background) so the next pick can weigh it.
                        poller?.OnUsed(attempt.Target.Provider, account);
                    }

                    continue;
                }

                var key = (quota.SoonestReset ?? DateTimeOffset.MaxValue, quota.Used);
                if (best is null || key.CompareTo(bestKey) < 0)
                {
                    (best, bestKey) = (destination, key);
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        var turn = (uint)Interlocked.Increment(ref _turn);
        return availableDestinations[(int)((turn - 1) % (uint)availableDestinations.Count)];
    }
}
