using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

public sealed record IrGenerationParams
{
    public static readonly IrGenerationParams Empty = new();

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public ImmutableArray<string> Stop { get; init; } = [];

    public long? Seed { get; init; }

    public IrReasoningConfig? Reasoning { get; init; }

    public IrResponseFormat? ResponseFormat { get; init; }

    public bool Equals(IrGenerationParams? other) =>
        other is not null && MaxTokens == other.MaxTokens && Temperature.Equals(other.Temperature) && TopP.Equals(other.TopP)
        && TopK == other.TopK && IrEquality.Same(Stop, other.Stop) && Seed == other.Seed && Equals(Reasoning, other.Reasoning)
        && Equals(ResponseFormat, other.ResponseFormat);

    public override int GetHashCode() => HashCode.Combine(MaxTokens, Temperature, TopP, TopK, IrEquality.Hash(Stop), Seed, Reasoning, ResponseFormat);
}

/// <summary>Reasoning request. Effort (OpenAI words) and budget (tokens) are converted into each other when a target
/// only understands one of them (see <see cref="ReasoningMap"/>).</summary>
/// <param name="Effort">none, minimal, low, medium, high, xhigh.</param>
/// <param name="BudgetTokens">Explicit budget; -1 means dynamic (Gemini), 0 means off.</param>
/// <param name="IncludeThoughts">Whether the client wants reasoning text back.</param>
public sealed record IrReasoningConfig(string? Effort, int? BudgetTokens, bool? IncludeThoughts = null);

public enum IrResponseFormatKind
{
    Text,
    JsonObject,
    JsonSchema,
}

/// <param name="SchemaJson">Raw JSON Schema text for <see cref="IrResponseFormatKind.JsonSchema"/>.</param>
public sealed record IrResponseFormat(IrResponseFormatKind Kind, string? Name = null, string? SchemaJson = null, bool? Strict = null);

/// <summary>Effort ↔ budget conversion, one table for every codec.</summary>
public static class ReasoningMap
{
    public static int EffortToBudget(string effort) => effort switch
    {
        "none" => 0,
        "minimal" => 1024,
        "low" => 2048,
        "medium" => 8192,
        "high" => 24576,
        "xhigh" => 32768,
        _ => 8192,
    };

    public static string BudgetToEffort(int budget) => budget switch
    {
        < 0 => "medium",
        0 => "none",
        <= 1024 => "minimal",
        <= 4096 => "low",
        <= 16384 => "medium",
        _ => "high",
    };

    public static int? Budget(IrReasoningConfig? r) =>
        r is null ? null : r.BudgetTokens ?? (r.Effort is null ? null : EffortToBudget(r.Effort));

    public static string? Effort(IrReasoningConfig? r) =>
        r is null ? null : r.Effort ?? (r.BudgetTokens is { } b ? BudgetToEffort(b) : null);
}
