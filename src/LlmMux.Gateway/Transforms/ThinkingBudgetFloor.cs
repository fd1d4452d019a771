using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Providers;
using LlmMux.Translation;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Anthropic refuses <c>thinking.budget_tokens</c> under 1024 with a 400, and Claude Code's background calls (titles,
/// prompt suggestions) send 500. A body passed through to an Anthropic upstream gets its budget raised to the floor
/// (and <c>max_tokens</c> kept above it, as Anthropic requires) by a reasoning override; a translated body is encoded
/// within the target's limits already.
/// </summary>
internal static class ThinkingBudgetFloor
{
    public const int Anthropic = 1024;

    /// <summary>The override that lifts the client's budget, or null when it needs none.</summary>
    public static IrReasoningConfig? For(LlmRequest request, UpstreamProtocol protocol)
        => protocol.Dialect == Dialect.Anthropic && request.Ingress.Format == Dialect.Anthropic && request.ThinkingBudget < Anthropic
            ? new IrReasoningConfig(null, Anthropic, true)
            : null;
}
