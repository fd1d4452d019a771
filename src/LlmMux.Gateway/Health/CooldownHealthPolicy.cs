using System.Net.Sockets;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Streaming;
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
/// <remarks>
/// An account is cooled only for what the account did (docs/failover.md): a rejected credential, a rate limit, the
/// upstream failing or going silent. Failures the request can provoke by itself — a 403 about one model, a 5xx on odd
/// content, a 429 without a reset, any 403 — are kept to the model where they can be, and one request causes at most
/// <see cref="LlmRequestFeature.MaxCooldownsPerRequest"/> of them. Only a 401 (a client cannot make a valid key answer
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
        var request = context.Features.Get<LlmRequestFeature>();
        if (request?.Target is not { } target)
        {
            return;
        }

        var id = destination.DestinationId;
        store.AttemptSent(id);
        if (request.Outcome is { } outcome)
        {
            Answered(request, outcome, cluster, destination, target.UpstreamModel);
            return;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null)
        {
            if (request.StreamState?.Fault is UpstreamStreamFault.Stalled or UpstreamStreamFault.Broken && !context.RequestAborted.IsCancellationRequested)
            {
                ServerFault(request, cluster, destination, $"stream {request.StreamState.Fault.ToString().ToLowerInvariant()}");
            }
            else if (context.Response.StatusCode < 400)
            {
                store.Succeeded(id, target.UpstreamModel);
            }

            return;
        }

        if (!context.RequestAborted.IsCancellationRequested && IsUpstreamFault(error))
        {
            ServerFault(request, cluster, destination, error.Error.ToString());
        }
    }

    private void Answered(LlmRequestFeature request, UpstreamOutcome outcome, ClusterState cluster, DestinationState destination, string model)
    {
        var id = destination.DestinationId;
        var detail = $"HTTP {outcome.Status}";
        switch (outcome.Status)
        {
            case 429 when outcome.ResetAt is not null || TakeCooldown(request):
                store.RateLimited(id, model, outcome.ResetAt, detail);
                break;
            case 429:
                break;
            case 401 when request.Snapshot.FindAccount(id)?.LoginAccountId is not null:
                // A login's token may just be stale: the failover loop refreshes it and retries the same account.
                break;
            case 401:
                // The credential, whatever the request: a client cannot make a valid key answer 401.
                healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.KeyRejected(id, detail));
                break;
            case 403:
                // Read without the model names the client chose (a message may quote them, and the client picks them),
                // and within the request's budget: a 403 text is still the upstream's free text.
                if (!TakeCooldown(request))
                {
                    break;
                }

                if (UpstreamDenial.IsAboutCredential(outcome.Detail, request.Model, model))
                {
                    healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.KeyRejected(id, detail));
                }
                else
                {
                    store.ModelDenied(id, model, ModelDeniedCooldown, detail);
                }

                break;
            default:
                ServerFault(request, cluster, destination, detail);
                break;
        }
    }

    private void ServerFault(LlmRequestFeature request, ClusterState cluster, DestinationState destination, string detail)
    {
        if (TakeCooldown(request))
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, store.ServerFailed(destination.DestinationId, detail));
        }
    }

    private static bool TakeCooldown(LlmRequestFeature request)
    {
        if (request.CooldownsLeft <= 0)
        {
            return false;
        }

        request.CooldownsLeft--;
        return true;
    }

    /// <summary>
    /// Failures of the upstream or the way to it. Writing to the client, reading the client's body, cancellations and
    /// failures while building the upstream request say nothing about the account.
    /// </summary>
    internal static bool IsUpstreamFault(IForwarderErrorFeature error) => error.Error switch
    {
        ForwarderError.RequestTimedOut or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination
            or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => true,
        ForwarderError.Request or ForwarderError.ResponseHeaders => IsTransportFailure(error.Exception),
        _ => false,
    };

    /// <summary>A connection, TLS or protocol failure, as opposed to the request being unsendable or a transform throwing.</summary>
    private static bool IsTransportFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: not HttpRequestError.Unknown }:
                case SocketException or IOException or TimeoutException:
                    return true;
                case ArgumentException or InvalidOperationException or FormatException or NotSupportedException:
                    return false;
            }
        }

        return false; // an HttpRequestException of unknown cause (e.g. an unsendable header) is not held against the account
    }
}
