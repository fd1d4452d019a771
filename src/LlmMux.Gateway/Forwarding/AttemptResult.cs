using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Streaming;
using Yarp.ReverseProxy.Forwarder;

namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// How one upstream attempt ended, as <see cref="AttemptClassifier"/> read it: the only reading of the upstream's
/// status, body and YARP's forwarder error. Passive health, the failover loop and telemetry switch on it. Closed:
/// every kind is nested here.
/// </summary>
internal abstract record AttemptResult
{
    private AttemptResult()
    {
    }

    /// <summary>The <c>llm_mux.outcome</c> tag of the attempt's metric and span.</summary>
    public virtual string Outcome => "ok";

    /// <summary>The answer (or its error) reached the client; success clears the model's back-off.</summary>
    public sealed record Succeeded : AttemptResult
    {
        public static readonly Succeeded Instance = new();
    }

    /// <summary>A 3xx or 4xx the client gets as the upstream said it: the same body would fail on every account.
    /// An error rule's <c>stop</c> ends any error status this way, with the rule's cooldown if it gave one.</summary>
    public sealed record ClientError(int Status) : AttemptResult
    {
        public RuleCooldown? Cooldown { get; init; }
    }

    /// <summary>A success the gateway could not use (untranslatable, a stream that never completed): the client got a 502.</summary>
    public sealed record Unusable(int Status) : AttemptResult;

    /// <summary>The upstream stalled or broke after the first byte; the client got its dialect's stream error.</summary>
    /// <param name="BlamesUpstream">False when the client had gone away, which explains the break.</param>
    public sealed record StreamFailed(UpstreamStreamFault Fault, bool BlamesUpstream) : AttemptResult
    {
        public string Summary => $"stream {Fault.ToString().ToLowerInvariant()}";
    }

    /// <summary>The account's login could not give a token; the next account may serve.</summary>
    public sealed record LoginUnavailable(AccountUnavailableException Exception) : AttemptResult
    {
        public override string Outcome => "login_unavailable";
    }

    /// <summary>What the client sent cannot be sent to this provider: the client gets <see cref="Error"/>, no account is to blame.</summary>
    public sealed record RequestInvalid(ApiError Error) : AttemptResult
    {
        public override string Outcome => "request_invalid";
    }

    /// <summary>A failure another account or provider may not have: the loop moves on while nothing reached the client.</summary>
    public abstract record Failure : AttemptResult
    {
        /// <summary>What the health store and the log note about the attempt (never a credential).</summary>
        public abstract string Summary { get; }

        /// <summary>The client's error when this was the last failure of a request that ran out of candidates.</summary>
        public abstract ApiError FinalError(string model, string provider);
    }

    /// <summary>The upstream answered with an error status; <see cref="Detail"/> is its message, scrubbed.</summary>
    public abstract record UpstreamAnswer(int Status, string Detail) : Failure
    {
        public override string Outcome => $"http_{Status}";

        public override string Summary => $"HTTP {Status}";

        protected string UpstreamSaid => Detail.Length > 0 ? $" Upstream said: {Detail}" : "";
    }

    /// <summary>A 429; <see cref="Until"/> is the reset the upstream gave (see <see cref="Health.RateLimitResets"/>), if it did.</summary>
    public sealed record RateLimited(string Detail, DateTimeOffset? Until) : UpstreamAnswer(429, Detail)
    {
        public override ApiError FinalError(string model, string provider)
            => new(429, "rate_limited", $"Every account for model '{model}' is rate limited or cooling down (last: provider '{provider}').{UpstreamSaid}");
    }

    /// <summary>A 401, or a 403 whose message names the credential.</summary>
    /// <param name="Certain">A 401: a client cannot make a valid credential answer one, so it always counts.</param>
    /// <param name="StaleLoginToken">A 401 on a login account: its token may only be stale, and a refresh may cure it.</param>
    public sealed record CredentialRejected(int Status, string Detail, bool Certain, bool StaleLoginToken) : UpstreamAnswer(Status, Detail)
    {
        public override ApiError FinalError(string model, string provider) => AuthFailed(Status, provider, UpstreamSaid);
    }

    /// <summary>A pass-through request's own credential refused: the answer goes to the client, nothing is cooled.</summary>
    public sealed record PassThroughRejected(int Status, string Detail) : UpstreamAnswer(Status, Detail)
    {
        public override ApiError FinalError(string model, string provider) => ApiError.PassThroughRejected(provider, Status, UpstreamSaid);
    }

    /// <summary>A 403 about this request (a model the organisation may not use, a region or feature gate), not the credential.</summary>
    public sealed record ModelDenied(string Detail) : UpstreamAnswer(403, Detail)
    {
        public override ApiError FinalError(string model, string provider) => AuthFailed(Status, provider, UpstreamSaid);
    }

    /// <summary>
    /// A 2xx that refused the client llm-mux presents (an outdated client version): no account is to blame and none is
    /// cooled; the rest of this provider would answer the same, so the chain moves to the next provider.
    /// </summary>
    public sealed record ClientRefused(string Detail) : UpstreamAnswer(200, Detail)
    {
        public override string Outcome => "client_refused";

        public override string Summary => "client refused";

        public override ApiError FinalError(string model, string provider)
            => new(502, "upstream_client_refused", $"The upstream of provider '{provider}' refused the client version llm-mux presents; update llm-mux or point the provider's base-url at another host.{UpstreamSaid}");
    }

    /// <summary>The upstream no longer serves this account through this type (a retired plan): it is marked retired with <see cref="Reason"/>.</summary>
    public sealed record AccountRetired(int Status, string Detail, string Reason) : UpstreamAnswer(Status, Detail)
    {
        public override string Outcome => "account_retired";

        public override string Summary => "retired: " + Reason;

        public override ApiError FinalError(string model, string provider)
            => new(403, "account_retired", $"Provider '{provider}' no longer serves the accounts tried. {Reason}{UpstreamSaid}");
    }

    /// <summary>A 408 or 5xx.</summary>
    public sealed record UpstreamFailed(int Status, string Detail) : UpstreamAnswer(Status, Detail)
    {
        public override ApiError FinalError(string model, string provider)
            => new(502, "upstream_error", $"The upstream failed on every attempt (HTTP {Status}, provider '{provider}').{UpstreamSaid}");
    }

    /// <summary>An error rule's <c>next</c>, or its <c>cooldown</c> then <c>next</c>: the next account is tried.</summary>
    public sealed record RuleFailed(int Status, string Detail, RuleCooldown? Cooldown) : UpstreamAnswer(Status, Detail)
    {
        public override ApiError FinalError(string model, string provider) => Status switch
        {
            429 => new(429, "rate_limited", $"Every account for model '{model}' is rate limited or cooling down (last: provider '{provider}').{UpstreamSaid}"),
            >= 500 => new(502, "upstream_error", $"The upstream failed on every attempt (HTTP {Status}, provider '{provider}').{UpstreamSaid}"),
            _ => new(Status, "upstream_rejected", $"The upstream refused the request on every account tried (HTTP {Status}, provider '{provider}').{UpstreamSaid}"),
        };
    }

    /// <summary>YARP's forwarder failed (connect, send, time-out, a broken body, or our side).</summary>
    /// <param name="BlamesUpstream">The upstream or the way to it failed, not the client, the gateway or a cancellation.</param>
    public sealed record Transport(IForwarderErrorFeature Error, bool BlamesUpstream) : Failure
    {
        public override string Outcome => Error.Error.ToString();

        public override string Summary => Error.Error.ToString();

        public override ApiError FinalError(string model, string provider) => Error.Error == ForwarderError.RequestTimedOut
            ? new ApiError(504, "upstream_timeout", $"The upstream of provider '{provider}' did not answer in time.")
            : new ApiError(502, "upstream_unreachable", $"Could not reach the upstream of provider '{provider}' ({Error.Error}).");
    }

    private static ApiError AuthFailed(int status, string provider, string upstreamSaid)
        => new(502, "upstream_auth_failed", $"The upstream rejected the credentials of every account tried (HTTP {status}, provider '{provider}').{upstreamSaid}");
}

/// <summary>What an error rule's <c>cooldown</c> rests: the whole account, or only the model on it.</summary>
internal sealed record RuleCooldown(TimeSpan Period, bool WholeAccount);
