using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// Runs the rest of the proxy pipeline (load balancing → passive health → forwarder) once per attempt: the next
/// account of the same provider, then the next provider of the chain, while nothing has reached the client yet.
/// Sits before <c>UseLoadBalancing()</c> so every attempt gets a fresh pick from the narrowed destination list.
/// </summary>
internal sealed class FailoverMiddleware(RequestDelegate next, IProxyStateLookup proxyState, ILogger<FailoverMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.GetRequiredFeature<LlmRequestFeature>();
        var maxAttempts = request.Snapshot.Options.Routing.MaxAttempts;
        var attempts = 0;
        UpstreamOutcome? lastOutcome = null;
        IForwarderErrorFeature? lastTransportError = null;

        foreach (var target in request.Route.Chain)
        {
            if (attempts >= maxAttempts)
            {
                break;
            }

            if (!proxyState.TryGetRoute(ProviderRoutes.RouteId(target.Provider.Name), out var route) || route?.Cluster is null)
            {
                continue;
            }

            context.ReassignProxyRequest(route, route.Cluster);
            var proxy = context.GetReverseProxyFeature();
            request.Target = target;
            Log.Routing(logger, request.Model, target.Provider.Name, target.UpstreamModel);

            var tried = new HashSet<string>(StringComparer.Ordinal);
            while (attempts < maxAttempts)
            {
                // From the cluster each time: the load balancer narrows the feature's list to its one pick.
                var available = route.Cluster.DestinationsState.AvailableDestinations.Where(d => !tried.Contains(d.DestinationId)).ToList();
                if (available.Count == 0)
                {
                    break;
                }

                proxy.AvailableDestinations = available;
                proxy.ProxiedDestination = null;
                request.Outcome = null;
                context.Features.Set<IForwarderErrorFeature>(null);
                attempts++;

                await next(context).ConfigureAwait(false);

                var transportError = context.Features.Get<IForwarderErrorFeature>();
                if (context.Response.HasStarted || (request.Outcome is null && transportError is null))
                {
                    return;
                }

                if (proxy.ProxiedDestination is not { } destination)
                {
                    break;
                }

                tried.Add(destination.DestinationId);
                lastOutcome = request.Outcome;
                lastTransportError = request.Outcome is null ? transportError : null;
                Log.AttemptFailed(logger, attempts, destination.DestinationId, request.Model,
                    lastOutcome is { } o ? $"HTTP {o.Status}" : transportError!.Error.ToString());
                context.Response.Clear();
            }
        }

        context.Response.Clear();
        if (lastOutcome?.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await ApiErrorWriter.WriteAsync(context, request.Ingress.Dialect, FinalError(request, lastOutcome, lastTransportError)).ConfigureAwait(false);
    }

    private static ApiError FinalError(LlmRequestFeature request, UpstreamOutcome? outcome, IForwarderErrorFeature? transport)
    {
        var provider = request.Target?.Provider.Name ?? "(none)";
        if (outcome is { } o)
        {
            var detail = o.Detail.Length > 0 ? $" Upstream said: {o.Detail}" : "";
            return o.Status switch
            {
                429 => new ApiError(429, "rate_limited", $"Every account tried for model '{request.Model}' is rate limited (last: provider '{provider}').{detail}"),
                401 or 403 => new ApiError(502, "upstream_auth_failed", $"The upstream rejected the credentials of every account tried (HTTP {o.Status}, provider '{provider}').{detail}"),
                _ => new ApiError(502, "upstream_error", $"The upstream failed on every attempt (HTTP {o.Status}, provider '{provider}').{detail}"),
            };
        }

        if (transport is not null)
        {
            return new ApiError(502, "upstream_unreachable", $"Could not reach the upstream of provider '{provider}' ({transport.Error}).");
        }

        return new ApiError(503, "no_available_account", $"No account is available to serve model '{request.Model}'.");
    }
}
