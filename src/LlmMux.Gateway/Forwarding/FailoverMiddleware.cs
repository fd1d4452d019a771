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
/// account of the same provider, then the next provider of the chain, while nothing has reached the client yet, as
/// each attempt's <see cref="AttemptResult"/> says (a <see cref="AttemptResult.Failure"/> moves on, anything else settles).
/// Sits before <c>UseLoadBalancing()</c> so every attempt gets a fresh pick from the narrowed destination list.
/// When every candidate is cooling down it waits for the first to free up if that is within
/// <c>routing.max-cooldown-wait</c>, else answers 429 with the earliest reset as <c>Retry-After</c>.
/// </summary>
internal sealed class FailoverMiddleware(RequestDelegate next, IProxyStateLookup proxyState, AccountStateStore accounts, ICredentialProvider credentials, GatewayMetrics metrics, Quota.QuotaStateStore quota, ILogger<FailoverMiddleware> logger)
{
    private static readonly TimeSpan ResetSlack = TimeSpan.FromMilliseconds(50);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.GetRequiredFeature<LlmRequest>();
        var routing = request.Snapshot.Options.Routing;
        var state = new FailoverState();
        context.Features.Set(state);
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
    private async Task<bool> TryChainAsync(HttpContext context, LlmRequest request, int maxAttempts, FailoverState state)
    {
        foreach (var target in request.Route.Chain)
        {
            if (!proxyState.TryGetRoute(ProviderRoutes.RouteId(target.Provider.Name), out var route) || route?.Cluster is null)
            {
                continue;
            }

            context.ReassignProxyRequest(route, route.Cluster);
            var proxy = context.GetReverseProxyFeature();
            state.Target = target;
            Log.Routing(logger, request.Model, target.Provider.Name, target.UpstreamModel);

            while (state.Attempts < maxAttempts)
            {
                var candidates = Candidates(route.Cluster, request, target, state);
                if (candidates.Count == 0)
                {
                    break;
                }

                proxy.AvailableDestinations = candidates;
                proxy.ProxiedDestination = null;
                var attempt = new AttemptFeature(request, state, target);
                context.Features.Set(attempt);
                context.Features.Set<IForwarderErrorFeature>(null);
                state.Attempts++;

                using var telemetry = AttemptTelemetry.Start(metrics, target.Provider.Name, state.Attempts);
                var attemptStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                AttemptResult result;
                try
                {
                    await next(context).ConfigureAwait(false);
                    result = AttemptClassifier.Settle(context, attempt);
                }
                catch (Exception ex) when (!context.Response.HasStarted && AttemptClassifier.FromException(ex) is { } thrown)
                {
                    result = attempt.Result = thrown;
                }

                var destination = proxy.ProxiedDestination;
                telemetry.Ended(result, destination?.DestinationId);
                state.Chain.Add(ChainStep(context, target, destination?.DestinationId, result, attemptStarted));
                switch (result)
                {
                    case AttemptResult.LoginUnavailable unavailable:
                        // The login could not give a token: this account is out, the next may serve. An expired or disabled
                        // login rests until the user acts; a refresh that failed (the token endpoint down) only briefly.
                        if (destination?.DestinationId is { } id)
                        {
                            state.Tried.Add(FailoverState.TriedKey(id, target.UpstreamModel));
                            var reason = $"login unavailable: {unavailable.Exception.Reason}";
                            _ = unavailable.Exception.IsPermanent ? accounts.KeyRejected(id, reason) : accounts.ServerFailed(id, reason);
                        }

                        context.Response.Clear();
                        continue;
                    case AttemptResult.RequestInvalid invalid:
                        // What the client sent cannot be sent to this provider: its answer, and no account is to blame.
                        context.Response.Clear();
                        await ApiErrorWriter.WriteAsync(context, request.Ingress.ErrorDialect, invalid.Error).ConfigureAwait(false);
                        return true;
                    case AttemptResult.PassThroughRejected rejected when !context.Response.HasStarted:
                        // The client's own login: another account would not be its login, so the client hears it at once.
                        context.Response.Clear();
                        await ApiErrorWriter.WriteAsync(context, request.Ingress.ErrorDialect, rejected.FinalError(request.Model, target.Provider.Name)).ConfigureAwait(false);
                        return true;
                }

                if (context.Response.HasStarted || result is not AttemptResult.Failure failure || context.RequestAborted.IsCancellationRequested)
                {
                    return true;
                }

                telemetry.FailedOver(failure);
                if (destination is null)
                {
                    break;
                }

                if (failure is AttemptResult.CredentialRejected { StaleLoginToken: true } && await TryRefreshAsync(context, attempt, destination.DestinationId, state).ConfigureAwait(false))
                {
                    // A fresh token for the same account: one more try there before moving on.
                    state.RetrySame = destination;
                    context.Response.Clear();
                    continue;
                }

                state.Tried.Add(FailoverState.TriedKey(destination.DestinationId, target.UpstreamModel));
                state.LastFailure = failure;
                state.LastProvider = target.Provider.Name;
                if (failure is AttemptResult.AccountRetired retired && attempt.Account?.LoginAccountId is { } retiredLogin)
                {
                    // Marked in the file: out of every chain, after a restart too, until a new login replaces it.
                    await credentials.RetireAsync(retiredLogin, retired.Reason, CancellationToken.None).ConfigureAwait(false);
                }

                if (failure is AttemptResult.RateLimited && accounts.IsBlocked(destination.DestinationId, target.UpstreamModel, target.Provider.Kind.QuotaGroup(target.UpstreamModel), out var until))
                {
                    state.NoteReset(until);
                }

                Log.AttemptFailed(logger, state.Attempts, destination.DestinationId, request.Model, failure.Summary);
                context.Response.Clear();
                if (failure is AttemptResult.ClientRefused)
                {
                    // Every account of this provider presents the same client: the next provider may serve.
                    break;
                }
            }
        }

        return false;
    }

    private static Management.AttemptStep ChainStep(HttpContext context, Routing.RouteTarget target, string? account, AttemptResult result, long started)
    {
        var status = result switch
        {
            AttemptResult.UpstreamAnswer answer => answer.Status,
            AttemptResult.ClientError error => error.Status,
            AttemptResult.Unusable unusable => unusable.Status,
            AttemptResult.Transport => 0,
            _ => context.Response.StatusCode,
        };
        var reason = result switch
        {
            AttemptResult.Failure failure => failure.Summary,
            AttemptResult.LoginUnavailable unavailable => $"login unavailable: {unavailable.Exception.Reason}",
            AttemptResult.StreamFailed stream => stream.Summary,
            _ => null,
        };
        return new(target.Provider.Name, target.UpstreamModel, account, status, result.Outcome, reason,
            Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1))
        {
            Dialect = target.Provider.Protocol.Dialect.ToString(),
        };
    }

    /// <summary>
    /// After a 401 on a login account (a token that may be stale), refreshes it once per request. Returns false when it
    /// was already refreshed or the refresh failed (the account then rests like a rejected key).
    /// </summary>
    private async Task<bool> TryRefreshAsync(HttpContext context, AttemptFeature attempt, string destinationId, FailoverState state)
    {
        if (attempt.Account?.LoginAccountId is not { } loginId)
        {
            return false;
        }

        if (state.Refreshed.Add(destinationId))
        {
            try
            {
                await credentials.RefreshAsync(loginId, attempt.LoginToken ?? "", context.RequestAborted).ConfigureAwait(false);
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
    /// Accounts of the cluster that may take this attempt: healthy in YARP, not tried yet for this model, not cooling
    /// for it, not excluding it (<c>accounts:</c> of the provider), not past <c>routing.quota-reserve</c>. Accounts close to the request rate at which they
    /// last hit a 429 are offered only when nothing else is left.
    /// </summary>
    private List<DestinationState> Candidates(ClusterState cluster, LlmRequest request, Routing.RouteTarget target, FailoverState state)
    {
        var model = target.UpstreamModel;
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
            if ((state.Tried.Count > 0 && state.Tried.Contains(FailoverState.TriedKey(destination.DestinationId, model)))
                || request.Snapshot.FindAccount(destination.DestinationId)?.Excluded.MatchesEither(request.Model, model) == true)
            {
                continue;
            }

            if (accounts.IsBlocked(destination.DestinationId, model, target.Provider.Kind.QuotaGroup(model), out var until))
            {
                state.NoteReset(until);
            }
            else if (available.Contains(destination))
            {
                candidates.Add(destination);
            }
        }

        // Close to a reported quota limit: passed over before it answers 429 (the least used serves when all are).
        candidates = Quota.QuotaRouting.WithinReserve(candidates, request.Snapshot, model, request.Snapshot.Options.Routing.QuotaReserve, quota);
        var fresh = candidates.Where(d => !accounts.NearLearnedLimit(d.DestinationId)).ToList();
        return fresh.Count > 0 ? fresh : candidates;
    }

    private static ApiError FinalError(LlmRequest request, FailoverState state)
    {
        if (state.LastFailure is { } failure)
        {
            return failure.FinalError(request.Model, state.LastProvider ?? request.Route.Chain[0].Provider.Name);
        }

        return state.EarliestReset is not null
            ? new ApiError(429, "model_cooldown", $"Every account that serves model '{request.Model}' is cooling down after rate limits.")
            : new ApiError(503, "no_available_account", $"No account is available to serve model '{request.Model}'.");
    }
}
