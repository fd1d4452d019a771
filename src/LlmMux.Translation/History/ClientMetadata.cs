using LlmMux.Translation.Ir;

namespace LlmMux.Translation.History;

/// <summary>
/// Claude Code sends its attribution as the first system block (<c>x-anthropic-billing-header: cc_version=…;
/// cc_entrypoint=…</c>). Anthropic reads it as metadata; any other upstream would take it as part of the prompt, and
/// it changes with every Claude Code release, which would also cost that upstream's prompt cache. Kept for Anthropic
/// targets only.
/// </summary>
internal static class ClientMetadata
{
    public static IrRequest ForTarget(IrRequest r, Dialect target) =>
        target == Dialect.Anthropic || !r.System.Any(IsBillingHeader) ? r : r with { System = r.System.RemoveAll(IsBillingHeader) };

    private static bool IsBillingHeader(string block) => block.StartsWith("x-anthropic-billing-header:", StringComparison.OrdinalIgnoreCase);
}
