using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Health;

/// <summary>
/// YARP passive health for accounts: after every attempt, records its outcome in the <see cref="AccountStateStore"/>
/// and mirrors account-wide blocks (rejected key, server failures) into YARP so the load balancer stops offering the
/// account. Quota cooldowns are per model and stay in the store, which the failover loop consults.
/// </summary>
internal sealed class CooldownHealthPolicy(AccountStateStore store, IDestinationHealthUpdater healthUpdater) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "llm-mux-cooldown";

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var request = context.Features.Get<LlmRequestFeature>();
        if (request?.Target is not { } target)
        {
            return;
        }

        var id = destination.DestinationId;
        store.AttemptSent(id);
        if (request.Outcome is { } outcome)
        {
            var detail = $"HTTP {outcome.Status}";
            switch (outcome.Status)
            {
                case 429:
                    store.RateLimited(id, target.UpstreamModel, outcome.ResetAt, detail);
                    break;
                case 401 when request.Snapshot.FindAccount(id)?.LoginAccountId is not null:
                    // A login's token may just be stale: the failover loop refreshes it and retries the same account.
                    break;
                case 401 or 403:
                    healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.KeyRejected(id, detail));
                    break;
                default:
                    healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.ServerFailed(id, detail));
                    break;
            }

            return;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null)
        {
            if (context.Response.StatusCode < 400)
            {
                store.Succeeded(id, target.UpstreamModel);
            }

            return;
        }

        if (!context.RequestAborted.IsCancellationRequested && IsUpstreamFault(error.Error))
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.ServerFailed(id, error.Error.ToString()));
        }
    }

    /// <summary>Failures of the upstream or the way to it; the client going away says nothing about the account.</summary>
    private static bool IsUpstreamFault(ForwarderError error) => error is ForwarderError.Request or ForwarderError.RequestTimedOut
        or ForwarderError.ResponseHeaders or ForwarderError.ResponseBodyDestination or ForwarderError.UpgradeResponseDestination;
}
