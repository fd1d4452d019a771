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

    /// <summary>The dialect the answer was read from (set by <see cref="Translator.DecodeResponse"/>): encoding it for a
    /// client of another signature family tags its signatures with their origin. Not part of equality.</summary>
    public Dialect? Source { get; init; }

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
/// <param name="CacheWriteInputTokens">Prompt tokens written to the cache (Anthropic's cache_creation_input_tokens), part of <paramref name="InputTokens"/>.</param>
/// <param name="Estimated">Some of the numbers are llm-mux's estimate, not the upstream's report (<see cref="UsageEstimate"/>).</param>
public sealed record IrUsage(long InputTokens, long OutputTokens, long CachedInputTokens = 0, long ReasoningTokens = 0, long CacheWriteInputTokens = 0, bool Estimated = false)
{
    public long TotalTokens => InputTokens + OutputTokens;
}
