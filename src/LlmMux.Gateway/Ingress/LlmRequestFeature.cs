using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Routing;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The one parse of an inbound LLM call, shared by every later step and every failover attempt. The body is kept
/// as the client sent it, so each attempt (maybe to another provider) rebuilds its upstream body from the original.
/// </summary>
public sealed class LlmRequestFeature(IngressRoute ingress, GatewaySnapshot snapshot, ReadOnlyMemory<byte> body, string model, bool stream, ModelRoute route)
{
    public IngressRoute Ingress { get; } = ingress;

    /// <summary>The config in effect when the request arrived; a reload mid-request does not change it.</summary>
    public GatewaySnapshot Snapshot { get; } = snapshot;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public string Model { get; } = model;

    public bool Stream { get; } = stream;

    public ModelRoute Route { get; } = route;

    /// <summary>The model as metrics and usage name it: a listed one, or <c>other</c> (<see cref="ModelResolver.LabelFor"/>).</summary>
    public string ModelLabel { get; init; } = model;

    /// <summary>A conversation id the client sent, if any: the same conversation sticks to one account (prompt caches).</summary>
    public string? SessionKey { get; init; }

    /// <summary>Gemini clients that did not ask for <c>alt=sse</c> get their stream as one JSON array.</summary>
    public bool GeminiJsonArrayStream { get; init; }

    /// <summary>The request decoded once into the IR, when some provider of the chain speaks another dialect.</summary>
    public IrRequest? Ir { get; init; }

    /// <summary>A token-count call (Anthropic <c>count_tokens</c>, Gemini <c>countTokens</c>) forwarded to a native counter.</summary>
    public bool IsCountTokens { get; init; }

    /// <summary>The login token the current attempt sent, so a 401 can ask for a refresh of exactly that token.</summary>
    internal string? LoginToken { get; set; }

    /// <summary>Upstream attempts made so far.</summary>
    public int Attempts { get; internal set; }

    /// <summary>The provider of the attempt in progress.</summary>
    public RouteTarget? Target { get; internal set; }

    /// <summary>Token usage the upstream reported for the answer the client got, once its body has ended.</summary>
    public LlmMux.Translation.Ir.IrUsage? Usage { get; internal set; }

    /// <summary>The current attempt's upstream body, as its stream saw it (stalled, broken): read by passive health.</summary>
    internal Streaming.UpstreamStreamState? StreamState { get; set; }

    /// <summary>
    /// Cooldowns this request may still cause. Upstream failures a request can provoke itself (5xx on odd content,
    /// a 403 for one model, a 429 that gives no reset) cool at most this many accounts, so one request cannot take
    /// out a provider; a credential the upstream rejects, or a 429 with its reset time, always counts.
    /// </summary>
    internal int CooldownsLeft { get; set; } = MaxCooldownsPerRequest;

    internal const int MaxCooldownsPerRequest = 2;

    /// <summary>Set by the response transform when the attempt failed in a way another account may not.</summary>
    public UpstreamOutcome? Outcome { get; internal set; }
}
