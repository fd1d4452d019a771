using System.Diagnostics;
using System.Globalization;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Logging;
using LlmMux.Gateway.Telemetry;
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
/// When every candidate is cooling down it waits for the first to free up if that is within
/// <c>routing.max-cooldown-wait</c>, else answers 429 with the earliest reset as <c>Retry-After</c>.
/// </summary>
internal sealed class FailoverMiddleware(RequestDelegate next, IProxyStateLookup proxyState, AccountStateStore accounts, ICredentialProvider credentials, GatewayMetrics metrics, ILogger<FailoverMiddleware> logger)
{
    private static readonly TimeSpan ResetSlack = TimeSpan.FromMilliseconds(50);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.GetRequiredFeature<LlmRequestFeature>();
        var routing = request.Snapshot.Options.Routing;
        var state = new AttemptState();
        var waitBudget = routing.MaxCooldownWait;

        while (true)
        {
            if (await TryChainAsync(context, request, routing.MaxAttempts, state).ConfigureAwait(false))
            {
                return;
            }

            // Every candidate failed or is cooling. Wait only when the wait ends within the budget and an attempt is left.
            var wait = state.EarliestReset is { } reset ? reset - accounts.Time.GetUtcNow() : (TimeSpan?)null;
            if (wait is not { } delay || delay > waitBudget || state.Attempts >= routing.MaxAttempts || context.RequestAborted.IsCancellationRequested)
            {
                break;
            }

            // Never less than the slack actually slept, or a reset already past would grow the budget instead.
            waitBudget -= delay > ResetSlack ? delay : ResetSlack;
            // A little past the reset: timers may fire a tick early, and the account must be free when we look again.
            await Task.Delay((delay > TimeSpan.Zero ? delay : TimeSpan.Zero) + ResetSlack, accounts.Time, context.RequestAborted).ConfigureAwait(false);
            state.StartRound();
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.Clear();
        var error = FinalError(request, state);
        if (error.Status == 429 && state.EarliestReset is { } retryAt)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((retryAt - accounts.Time.GetUtcNow()).TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await ApiErrorWriter.WriteAsync(context, request.Ingress.ErrorDialect, error).ConfigureAwait(false);
    }

    /// <returns>True when the response is settled (success, a client error, or something already sent).</returns>
    private async Task<bool> TryChainAsync(HttpContext context, LlmRequestFeature request, int maxAttempts, AttemptState state)
    {
        foreach (var target in request.Route.Chain)
        {
            if (!proxyState.TryGetRoute(ProviderRoutes.RouteId(target.Provider.Name), out var route) || route?.Cluster is null)
            {
                continue;
            }

            context.ReassignProxyRequest(route, route.Cluster);
            var proxy = context.GetReverseProxyFeature();
            request.Target = target;
            Log.Routing(logger, request.Model, target.Provider.Name, target.UpstreamModel);

            while (state.Attempts < maxAttempts)
            {
                var candidates = Candidates(route.Cluster, target.UpstreamModel, state);
                if (candidates.Count == 0)
                {
                    break;
                }

                proxy.AvailableDestinations = candidates;
                proxy.ProxiedDestination = null;
                request.Outcome = null;
                request.StreamState = null;
                context.Features.Set<IForwarderErrorFeature>(null);
                state.Attempts++;
                request.Attempts = state.Attempts;

                using var activity = GatewayMetrics.ActivitySource.StartActivity("llm-mux.attempt", ActivityKind.Internal);
                activity?.SetTag("llm_mux.provider", target.Provider.Name);
                activity?.SetTag("llm_mux.attempt", state.Attempts);
                try
                {
                    await next(context).ConfigureAwait(false);
                }
                catch (AccountUnavailableException ex) when (!context.Response.HasStarted)
                {
                    // The login could not give a token: this account is out, the next may serve. An expired or disabled
                    // login rests until the user acts; a refresh that failed (the token endpoint down) only briefly.
                    if (context.GetReverseProxyFeature().ProxiedDestination?.DestinationId is { } unavailable)
                    {
                        state.Tried.Add(unavailable);
                        _ = ex.IsPermanent
                            ? accounts.KeyRejected(unavailable, $"login unavailable: {ex.Reason}")
                            : accounts.ServerFailed(unavailable, $"login unavailable: {ex.Reason}");
                    }

                    activity?.SetStatus(ActivityStatusCode.Error, ex.Reason.ToString());
                    metrics.Attempt(target.Provider.Name, "login_unavailable");
                    context.Response.Clear();
                    continue;
                }
                catch (UpstreamRequestException ex) when (!context.Response.HasStarted)
                {
                    // What the client sent cannot be sent to this provider: its answer, and no account is to blame.
                    activity?.SetStatus(ActivityStatusCode.Error, ex.Error.Code);
                    metrics.Attempt(target.Provider.Name, "request_invalid");
                    context.Response.Clear();
                    await ApiErrorWriter.WriteAsync(context, request.Ingress.ErrorDialect, ex.Error).ConfigureAwait(false);
                    return true;
                }

                var transportError = context.Features.Get<IForwarderErrorFeature>();
                var outcome = request.Outcome is { } failed ? $"http_{failed.Status}" : transportError is not null ? transportError.Error.ToString() : "ok";
                activity?.SetTag("llm_mux.account", proxy.ProxiedDestination?.DestinationId);
                activity?.SetTag("llm_mux.outcome", outcome);
                metrics.Attempt(target.Provider.Name, outcome);
                if (context.Response.HasStarted || (request.Outcome is null && transportError is null) || context.RequestAborted.IsCancellationRequested)
                {
                    return true;
                }

                activity?.SetStatus(ActivityStatusCode.Error, outcome);
                metrics.Failover(target.Provider.Name, outcome);

                if (proxy.ProxiedDestination is not { } destination)
                {
                    break;
                }

                if (request.Outcome?.Status == 401 && await TryRefreshAsync(context, request, destination.DestinationId, state).ConfigureAwait(false))
                {
                    // A fresh token for the same account: one more try there before moving on (spec §7).
                    state.RetrySame = destination;
                    context.Response.Clear();
                    continue;
                }

                state.Tried.Add(destination.DestinationId);
                state.LastOutcome = request.Outcome;
                state.LastTransportError = request.Outcome is null ? transportError : null;
                state.LastProvider = target.Provider.Name;
                if (request.Outcome?.Status == 429 && accounts.IsBlocked(destination.DestinationId, target.UpstreamModel, out var until))
                {
                    state.NoteReset(until);
                }

                Log.AttemptFailed(logger, state.Attempts, destination.DestinationId, request.Model,
                    request.Outcome is { } o ? $"HTTP {o.Status}" : transportError!.Error.ToString());
                context.Response.Clear();
            }
        }

        return false;
    }

    /// <summary>
    /// On a 401 from a login account, refreshes its token once per request. Returns false when there is nothing to
    /// refresh, it was already refreshed, or the refresh failed (the account then rests like a rejected key).
    /// </summary>
    private async Task<bool> TryRefreshAsync(HttpContext context, LlmRequestFeature request, string destinationId, AttemptState state)
    {
        if (request.Snapshot.FindAccount(destinationId)?.LoginAccountId is not { } loginId)
        {
            return false;
        }

        if (state.Refreshed.Add(destinationId))
        {
            try
            {
                await credentials.RefreshAsync(loginId, request.LoginToken ?? "", context.RequestAborted).ConfigureAwait(false);
                return true;
            }
            catch (AccountUnavailableException)
            {
            }
        }

        accounts.KeyRejected(destinationId, "HTTP 401 after a token refresh");
        return false;
    }

    /// <summary>
    /// Accounts of the cluster that may take this attempt: healthy in YARP, not tried yet, not cooling for this model.
    /// Accounts close to the request rate at which they last hit a 429 are offered only when nothing else is left.
    /// </summary>
    private List<DestinationState> Candidates(ClusterState cluster, string model, AttemptState state)
    {
        if (state.RetrySame is { } same)
        {
            state.RetrySame = null;
            return [same];
        }

        // Read from the cluster each time: the load balancer narrows the feature's list to its one pick.
        var available = cluster.DestinationsState.AvailableDestinations;
        var candidates = new List<DestinationState>(available.Count);
        foreach (var destination in cluster.DestinationsState.AllDestinations)
        {
            if (state.Tried.Contains(destination.DestinationId))
            {
                continue;
            }

            if (accounts.IsBlocked(destination.DestinationId, model, out var until))
            {
                state.NoteReset(until);
            }
            else if (available.Contains(destination))
            {
                candidates.Add(destination);
            }
        }

        var fresh = candidates.Where(d => !accounts.NearLearnedLimit(d.DestinationId)).ToList();
        return fresh.Count > 0 ? fresh : candidates;
    }

    private static ApiError FinalError(LlmRequestFeature request, AttemptState state)
    {
        var provider = state.LastProvider ?? request.Route.Chain[0].Provider.Name;
        if (state.LastOutcome is { } o)
        {
            var detail = o.Detail.Length > 0 ? $" Upstream said: {o.Detail}" : "";
            return o.Status switch
            {
                429 => new ApiError(429, "rate_limited", $"Every account for model '{request.Model}' is rate limited or cooling down (last: provider '{provider}').{detail}"),
                401 or 403 => new ApiError(502, "upstream_auth_failed", $"The upstream rejected the credentials of every account tried (HTTP {o.Status}, provider '{provider}').{detail}"),
                _ => new ApiError(502, "upstream_error", $"The upstream failed on every attempt (HTTP {o.Status}, provider '{provider}').{detail}"),
            };
        }

        if (state.LastTransportError is { } transport)
        {
            return transport.Error == ForwarderError.RequestTimedOut
                ? new ApiError(504, "upstream_timeout", $"The upstream of provider '{provider}' did not answer in time.")
                : new ApiError(502, "upstream_unreachable", $"Could not reach the upstream of provider '{provider}' ({transport.Error}).");
        }

        return state.EarliestReset is not null
            ? new ApiError(429, "model_cooldown", $"Every account that serves model '{request.Model}' is cooling down after rate limits.")
            : new ApiError(503, "no_available_account", $"No account is available to serve model '{request.Model}'.");
    }

    private sealed class AttemptState
    {
        public int Attempts;
        public UpstreamOutcome? LastOutcome;
        public IForwarderErrorFeature? LastTransportError;
        public string? LastProvider;

        public HashSet<string> Tried { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Refreshed { get; } = new(StringComparer.Ordinal);

        /// <summary>The account to try again right away, after its token was refreshed.</summary>
        public DestinationState? RetrySame;

        public DateTimeOffset? EarliestReset { get; private set; }

        public void NoteReset(DateTimeOffset until)
        {
            if (EarliestReset is null || until < EarliestReset)
            {
                EarliestReset = until;
            }
        }

        /// <summary>After a cooldown wait every account may be tried again.</summary>
        public void StartRound()
        {
            Tried.Clear();
            EarliestReset = null;
        }
    }
}
