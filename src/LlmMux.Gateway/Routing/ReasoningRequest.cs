using System.Globalization;

namespace LlmMux.Gateway.Routing;

/// <summary>What a reasoning suffix on a model name asked for (spec §6).</summary>
/// <param name="Enabled">False for <c>-nothinking</c>.</param>
/// <param name="Effort">minimal, none, low, medium, high, xhigh or max; null when a budget or plain <c>-thinking</c> was given.</param>
/// <param name="BudgetTokens">From <c>-thinking-N</c>.</param>
public sealed record ReasoningRequest(bool Enabled, string? Effort = null, int? BudgetTokens = null)
{
    private static readonly string[] Efforts = ["minimal", "none", "low", "medium", "high", "xhigh"];
    private static readonly string[] ThinkingLevels = ["low", "medium", "high", "max"];

    /// <summary>
    /// Splits <c>claude-sonnet-4-thinking-high</c> into <c>claude-sonnet-4</c> and its reasoning request.
    /// Returns false when the name carries no suffix.
    /// </summary>
    public static bool TryStrip(string model, out string baseModel, out ReasoningRequest reasoning)
    {
        baseModel = model;
        reasoning = null!;
        if (model.EndsWith("-nothinking", StringComparison.Ordinal))
        {
            (baseModel, reasoning) = (model[..^"-nothinking".Length], new ReasoningRequest(false));
            return baseModel.Length > 0;
        }

        if (model.EndsWith("-thinking", StringComparison.Ordinal))
        {
            (baseModel, reasoning) = (model[..^"-thinking".Length], new ReasoningRequest(true));
            return baseModel.Length > 0;
        }

        var thinking = model.LastIndexOf("-thinking-", StringComparison.Ordinal);
        if (thinking > 0)
        {
            var tail = model[(thinking + "-thinking-".Length)..];
            if (ThinkingLevels.Contains(tail))
            {
                (baseModel, reasoning) = (model[..thinking], new ReasoningRequest(true, Effort: tail));
                return true;
            }

            if (int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var budget))
            {
                (baseModel, reasoning) = (model[..thinking], new ReasoningRequest(budget > 0, BudgetTokens: budget));
                return true;
            }
        }

        var dash = model.LastIndexOf('-');
        if (dash > 0 && Efforts.Contains(model[(dash + 1)..]))
        {
            var effort = model[(dash + 1)..];
            (baseModel, reasoning) = (model[..dash], new ReasoningRequest(effort != "none", Effort: effort));
            return true;
        }

        return false;
    }
}
