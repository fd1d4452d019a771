using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

/// <summary>A complete (non-streaming) model answer.</summary>
public sealed record IrResponse
{
    public string? Id { get; init; }

    public string? Model { get; init; }

    /// <summary>Output parts in order: reasoning, text, tool calls.</summary>
    public ImmutableArray<IrPart> Parts { get; init; } = [];

    public IrFinishReason FinishReason { get; init; } = IrFinishReason.Stop;

    public IrUsage? Usage { get; init; }

    /// <summary>Unix seconds; encoders use now when absent.</summary>
    public long? Created { get; init; }

    public bool Equals(IrResponse? other) =>
        other is not null && Id == other.Id && Model == other.Model && IrEquality.Same(Parts, other.Parts)
        && FinishReason == other.FinishReason && Equals(Usage, other.Usage) && Created == other.Created;

    public override int GetHashCode() => HashCode.Combine(Id, Model, IrEquality.Hash(Parts), FinishReason, Usage, Created);
}

/// <summary>Why generation stopped. Mapped to and from every dialect in <see cref="FinishReasons"/>.</summary>
public enum IrFinishReason
{
    Stop,
    MaxTokens,
    ToolCalls,
    StopSequence,
    ContentFilter,
    Error,
    Other,
}

/// <param name="InputTokens">Total prompt tokens including cached ones.</param>
/// <param name="OutputTokens">Total completion tokens including reasoning ones.</param>
public sealed record IrUsage(long InputTokens, long OutputTokens, long CachedInputTokens = 0, long ReasoningTokens = 0)
{
    public long TotalTokens => InputTokens + OutputTokens;
}
