using LlmMux.Gateway.Forwarding;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Health;

/// <summary>
/// YARP passive health for accounts: after every attempt, records its <see cref="AttemptResult"/> in the
/// <see cref="AccountStateStore"/> and mirrors account-wide blocks (rejected key, server failures) into YARP so the
/// load balancer stops offering the account. Quota cooldowns are per model and stay in the store, which the failover
/// loop consults.
/// </summary>
/// <remarks>
/// An account is cooled only for what the account did (docs/failover.md): a rejected credential, a rate limit, the
/// upstream failing or going silent. Failures the request can provoke by itself — a 403 about one model, a 5xx on odd
/// content, a 429 without a reset, any 403 — are kept to the model where they can be, and one request causes at most
/// <see cref="FailoverState.MaxCooldownsPerRequest"/> of them. Only a 401 (a client cannot make a valid key answer
/// one) and a 429 with its reset time always count. Failures on our side or the client's (building the
/// upstream request, writing to the client, the client going away) cool nothing.
/// </remarks>
internal sealed class CooldownHealthPolicy(AccountStateStore store, IDestinationHealthUpdater healthUpdater) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "llm-mux-cooldown";

    /// <summary>How long a model stays off an account after a 403 that is about the model, not the credential.</summary>
    public static readonly TimeSpan ModelDeniedCooldown = TimeSpan.FromMinutes(30);

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        if (context.Features.Get<AttemptFeature>() is not { } attempt)
        {
            return;
        }

        var id = destination.DestinationId;
        var model = attempt.Target.UpstreamModel;
        var budget = attempt.Failover;
        store.AttemptSent(id);
        if (attempt.Account?.PassThrough == true)
        {
            // One client's login earned it, and the next request brings another's: nothing shared is cooled.
            return;
        }

        switch (AttemptClassifier.Settle(context, attempt))
        {
            case AttemptResult.Succeeded:
                store.Succeeded(id, model);
                store.Succeeded(id, attempt.Target.Provider.Kind.QuotaGroup(model));
                break;
            case AttemptResult.RateLimited limited when limited.Until is not null || budget.TakeCooldown():
                store.RateLimited(id, attempt.Target.Provider.Kind.QuotaGroup(model), limited.Until, limited.Summary);
                break;
            case AttemptResult.AccountRetired retired:
                // Not a cooldown: the provider said it will not serve this account again (the file is marked by the failover loop).
                healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.Retired(id, retired.Reason));
                break;
            case AttemptResult.CredentialRejected { StaleLoginToken: true }:
                // The failover loop refreshes the token and retries the same account.
                break;
            case AttemptResult.CredentialRejected rejected when rejected.Certain || budget.TakeCooldown():
                healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.KeyRejected(id, rejected.Summary));
                break;
            case AttemptResult.ModelDenied denied when budget.TakeCooldown():
                store.ModelDenied(id, model, ModelDeniedCooldown, denied.Summary);
                break;
            case AttemptResult.ClientError { Cooldown: { } cooldown } stopped when budget.TakeCooldown():
                CoolByRule(cooldown, cluster, destination, model, $"HTTP {stopped.Status} (error rule)");
                break;
            case AttemptResult.RuleFailed { Cooldown: { } cooldown } ruled when budget.TakeCooldown():
                CoolByRule(cooldown, cluster, destination, model, ruled.Summary + " (error rule)");
                break;
            case AttemptResult.UpstreamFailed failed:
                ServerFault(budget, cluster, destination, failed.Summary);
                break;
            case AttemptResult.Transport { BlamesUpstream: true } transport:
                ServerFault(budget, cluster, destination, transport.Summary);
                break;
            case AttemptResult.StreamFailed { BlamesUpstream: true } stream:
                ServerFault(budget, cluster, destination, stream.Summary);
                break;
        }
    }

    /// <summary>An error rule's cooldown: the model on this account, or the whole account (mirrored into YARP).</summary>
    private void CoolByRule(RuleCooldown cooldown, ClusterState cluster, DestinationState destination, string model, string detail)
    {
        if (cooldown.WholeAccount)
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.CooledDown(destination.DestinationId, cooldown.Period, detail));
        }
        else
        {
            store.ModelDenied(destination.DestinationId, model, cooldown.Period, detail);
        }
    }

    private void ServerFault(FailoverState budget, ClusterState cluster, DestinationState destination, string detail)
    {
        if (budget.TakeCooldown())
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.ServerFailed(destination.DestinationId, detail));
        }
    }
}
