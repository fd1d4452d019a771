using System.Net.Sockets;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Streaming;
using LlmMux.Gateway.Transforms;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// The one reading of how an attempt went: the upstream's status, headers and error body, YARP's forwarder error, the
/// body stream's faults and the exceptions the request transform throws become one <see cref="AttemptResult"/>.
/// Nothing else interprets an upstream status code.
/// </summary>
internal static class AttemptClassifier
{
    /// <summary>
    /// Statuses another account or provider may answer differently. 400-class client errors are not among them: the
    /// same body would fail everywhere, so those go back to the client at once.
    /// </summary>
    public static bool AllowsFailover(int status) => status is 401 or 403 or 408 or 429 or >= 500;

    /// <summary>
    /// Reads the upstream's answer from its status line, as the response transform first sees it. For a failure
    /// another account may not have, the start of the body is read (and so consumed) for its message and reset time.
    /// </summary>
    public static async ValueTask<AttemptResult> ClassifyAnswerAsync(HttpResponseMessage response, AttemptFeature attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var provider = attempt.Target.Provider.Name;
        var rules = attempt.Request.Snapshot.ErrorRules;
        if (status >= 400 && rules.Covers(status, provider))
        {
            // The user's rules first; the body they read is kept for whoever passes it on.
            var text = await UpstreamBodyReader.BufferErrorAsync(response, cancellationToken).ConfigureAwait(false);
            if (rules.Match(status, provider, text) is { } rule)
            {
                return FromRule(rule, status, text);
            }

            return AllowsFailover(status) ? Classify(status, text, response.Headers, attempt, now) : new AttemptResult.ClientError(status);
        }

        var protocol = attempt.Target.Protocol;
        if (status is >= 200 and < 300 && protocol.RefusesClientWithSuccess && IsTextPage(response.Content.Headers.ContentType))
        {
            // Not the API's answer: read (and put back) its start, which may say the client is refused.
            var page = await UpstreamBodyReader.BufferErrorAsync(response, cancellationToken).ConfigureAwait(false);
            if (protocol.RefusedClient(UpstreamErrorMessage.Extract(page)) is { } refused)
            {
                return new AttemptResult.ClientRefused(refused);
            }
        }

        if (status == 400 && protocol.RetiresAccounts && attempt.Account?.PassThrough != true)
        {
            // A retired plan may come as a 400 too: read it only for a type that knows such a verdict.
            var detail = UpstreamErrorMessage.Extract(await UpstreamBodyReader.BufferErrorAsync(response, cancellationToken).ConfigureAwait(false));
            if (protocol.RetiredAccount(status, detail) is { } reason)
            {
                return new AttemptResult.AccountRetired(status, detail, reason);
            }
        }

        if (!AllowsFailover(status))
        {
            return status >= 300 ? new AttemptResult.ClientError(status) : AttemptResult.Succeeded.Instance;
        }

        var body = await UpstreamBodyReader.ReadDetailAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return Classify(status, body, response.Headers, attempt, now);
    }

    /// <summary>A failed answer, from its status and the start of its body.</summary>
    public static AttemptResult.Failure Classify(int status, string body, System.Net.Http.Headers.HttpResponseHeaders headers, AttemptFeature attempt, DateTimeOffset now)
    {
        var detail = UpstreamErrorMessage.Extract(body);
        if (attempt.Account?.PassThrough != true && attempt.Target.Protocol.RetiredAccount(status, detail) is { } retired)
        {
            return new AttemptResult.AccountRetired(status, detail, retired);
        }

        return status switch
        {
            // The client's own login was refused: the client's to renew; no refresh or other account can stand in for it.
            401 or 403 when attempt.Account?.PassThrough == true && (status == 401 || UpstreamDenial.IsAboutCredential(detail, attempt.Request.Model, attempt.Target.UpstreamModel))
                => new AttemptResult.PassThroughRejected(status, detail),
            429 => new AttemptResult.RateLimited(detail, RateLimitResets.Find(headers, body, now)),
            // A client cannot make a valid credential answer 401; on a login account it may only mean a stale token.
            401 => new AttemptResult.CredentialRejected(401, detail, Certain: true, StaleLoginToken: attempt.Account?.LoginAccountId is not null),
            // Read without the model names the client chose: a message may quote them, and the client picks them.
            403 when UpstreamDenial.IsAboutCredential(detail, attempt.Request.Model, attempt.Target.UpstreamModel)
                => new AttemptResult.CredentialRejected(403, detail, Certain: false, StaleLoginToken: false),
            403 => new AttemptResult.ModelDenied(detail),
            _ => new AttemptResult.UpstreamFailed(status, detail),
        };
    }

    /// <summary>What an error rule says of an answer it caught.</summary>
    private static AttemptResult FromRule(Rules.ErrorRule rule, int status, string body)
    {
        RuleCooldown? cooldown = rule is { Action: Rules.RuleNames.ActionCooldown, Cooldown: { } period }
            ? new RuleCooldown(period, WholeAccount: rule.Scope == Rules.RuleNames.ScopeAccount)
            : null;
        var stops = rule.Action == Rules.RuleNames.ActionStop || (cooldown is not null && rule.Then == Rules.RuleNames.ActionStop);
        return stops
            ? new AttemptResult.ClientError(status) { Cooldown = cooldown }
            : new AttemptResult.RuleFailed(status, UpstreamErrorMessage.Extract(body), cooldown);
    }

    /// <summary>
    /// The attempt's result once the forwarder is done, worked out once (passive health asks first, the failover loop
    /// reuses it): a failed answer; else a forwarder error; else a stream that stalled or broke; else what the
    /// client's response says.
    /// </summary>
    public static AttemptResult Settle(HttpContext context, AttemptFeature attempt) => attempt.Result ??= SettleCore(context, attempt);

    /// <summary>The result of an attempt the request transform ended by throwing, or null for any other exception.</summary>
    public static AttemptResult? FromException(Exception exception) => exception switch
    {
        AccountUnavailableException unavailable => new AttemptResult.LoginUnavailable(unavailable),
        UpstreamRequestException invalid => new AttemptResult.RequestInvalid(invalid.Error),
        _ => null,
    };

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

    private static AttemptResult SettleCore(HttpContext context, AttemptFeature attempt)
    {
        if (attempt.Answer is AttemptResult.Failure failed)
        {
            return failed;
        }

        var aborted = context.RequestAborted.IsCancellationRequested;
        if (context.Features.Get<IForwarderErrorFeature>() is { } error)
        {
            // YARP reports what the request transform threw as RequestCreation; the transform's own exceptions say why.
            if (error.Error == ForwarderError.RequestCreation && error.Exception is { } thrown && FromException(thrown) is { } built)
            {
                return built;
            }

            return new AttemptResult.Transport(error, !aborted && IsUpstreamFault(error));
        }

        if (attempt.StreamState?.Fault is UpstreamStreamFault.Stalled or UpstreamStreamFault.Broken)
        {
            return new AttemptResult.StreamFailed(attempt.StreamState.Fault, !aborted);
        }

        var status = context.Response.StatusCode;
        if (status < 400)
        {
            return AttemptResult.Succeeded.Instance;
        }

        return attempt.Answer as AttemptResult.ClientError ?? (AttemptResult)new AttemptResult.Unusable(status);
    }

    /// <summary>A text page (<c>text/plain</c>, <c>text/html</c>), never the API's JSON or SSE: only such a 2xx is read for a refusal.</summary>
    private static bool IsTextPage(System.Net.Http.Headers.MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } media
        && media.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        && !media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);

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
