using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Routing;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The one parse of an inbound LLM call, shared by every later step and every failover attempt, and never changed
/// after ingress. The body is kept as the client sent it, so each attempt (maybe to another provider) rebuilds its
/// upstream body from the original. What changes per attempt is an <see cref="Forwarding.AttemptFeature"/>; what
/// spans attempts (counters, budgets) is the <see cref="Forwarding.FailoverState"/>.
/// </summary>
internal sealed class LlmRequest(IngressRoute ingress, GatewaySnapshot snapshot, ReadOnlyMemory<byte> body, string model, bool stream, ModelRoute route)
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

    /// <summary>Anthropic's <c>thinking.budget_tokens</c> as the client sent it, when thinking is enabled.</summary>
    public int? ThinkingBudget { get; init; }

    /// <summary>Who sent the request, for the request log (<see cref="Ingress.ClientAttribution"/>).</summary>
    public ClientAttribution Attribution { get; init; }

    /// <summary>Gemini clients that did not ask for <c>alt=sse</c> get their stream as one JSON array.</summary>
    public bool GeminiJsonArrayStream { get; init; }

    /// <summary>The request decoded once into the IR, when some provider of the chain speaks another dialect.</summary>
    public IrRequest? Ir { get; init; }

    /// <summary>A token-count call (Anthropic <c>count_tokens</c>, Gemini <c>countTokens</c>) forwarded to a native counter.</summary>
    public bool IsCountTokens { get; init; }

    /// <summary>An operation beyond chat (embeddings, images, compaction), decoded at ingress; null for a chat.</summary>
    public Operations.OperationRequest? Operation { get; init; }
}
