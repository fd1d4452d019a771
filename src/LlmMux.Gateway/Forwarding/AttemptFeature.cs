using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Routing;
using LlmMux.Gateway.Streaming;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// One upstream attempt of an <see cref="LlmRequest"/>: set on the context by the <see cref="FailoverMiddleware"/>
/// before each attempt, filled in by the transforms (account, login token, answer, stream state, usage) and read by
/// passive health, the failover loop and telemetry through its <see cref="Result"/>.
/// </summary>
internal sealed class AttemptFeature(LlmRequest request, FailoverState failover, RouteTarget target)
{
    public LlmRequest Request { get; } = request;

    public FailoverState Failover { get; } = failover;

    /// <summary>The provider and upstream model of this attempt.</summary>
    public RouteTarget Target { get; } = target;

    /// <summary>The account the load balancer picked, once the request transform has resolved it.</summary>
    public UpstreamAccount? Account { get; private set; }

    /// <summary>The login token this attempt sent, so a 401 can ask for a refresh of exactly that token.</summary>
    public string? LoginToken { get; set; }

    /// <summary>The upstream's answer as the classifier read its status line, set by the response transform.</summary>
    public AttemptResult? Answer { get; set; }

    /// <summary>The upstream body as its stream saw it (stalled, broken), for the classifier.</summary>
    public UpstreamStreamState? StreamState { get; set; }

    /// <summary>Token usage the upstream reported for the answer the client got, once its body has ended.</summary>
    public IrUsage? Usage { get; set; }

    /// <summary>The attempt's settled outcome; see <see cref="AttemptClassifier.Settle"/>.</summary>
    public AttemptResult? Result { get; set; }

    /// <summary>
    /// The account behind a destination id, from the request's own config and else the current one (a reload may have
    /// added it after the request arrived). Resolved once per attempt; later readers use <see cref="Account"/>.
    /// </summary>
    public UpstreamAccount ResolveAccount(string destinationId, GatewaySnapshot current)
    {
        Account = Request.Snapshot.FindAccount(destinationId) ?? current.FindAccount(destinationId)
            ?? throw new InvalidOperationException($"account {destinationId} is no longer configured");
        return Account;
    }
}
