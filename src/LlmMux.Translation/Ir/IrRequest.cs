using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

/// <summary>Dialect-neutral chat request. Every codec decodes into and encodes from this shape.</summary>
public sealed record IrRequest
{
    /// <summary>Model id as the client sent it (Gemini carries it in the URL, so it may be null there).</summary>
    public string? Model { get; init; }

    /// <summary>System prompt blocks in order; most targets join them, Anthropic keeps them as blocks.</summary>
    public ImmutableArray<string> System { get; init; } = [];

    public ImmutableArray<IrMessage> Messages { get; init; } = [];

    public ImmutableArray<IrTool> Tools { get; init; } = [];

    public IrToolChoice? ToolChoice { get; init; }

    public IrGenerationParams Params { get; init; } = IrGenerationParams.Empty;

    public bool Stream { get; init; }

    /// <summary>OpenAI <c>stream_options.include_usage</c>; other dialects always report usage.</summary>
    public bool StreamIncludeUsage { get; init; }

    /// <summary>Whether parallel tool calls are allowed; null = provider default.</summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>Anthropic <c>metadata.user_id</c> / OpenAI <c>user</c>.</summary>
    public string? User { get; init; }

    /// <summary>The dialect the request was read from (set by <see cref="Translator.DecodeRequest"/>; null for a request
    /// built in code): a replayed signature without a provenance tag was issued by that dialect's upstream
    /// (<see cref="History.HistoryRules"/>). Not part of equality: it says where the history came from, not what it is.</summary>
    public Dialect? Source { get; init; }

    public bool Equals(IrRequest? other) =>
        other is not null && Model == other.Model && IrEquality.Same(System, other.System) && IrEquality.Same(Messages, other.Messages)
        && IrEquality.Same(Tools, other.Tools) && Equals(ToolChoice, other.ToolChoice) && Params.Equals(other.Params)
        && Stream == other.Stream && StreamIncludeUsage == other.StreamIncludeUsage && ParallelToolCalls == other.ParallelToolCalls
        && User == other.User;

    public override int GetHashCode() => HashCode.Combine(Model, IrEquality.Hash(Messages), IrEquality.Hash(Tools), Params);
}

public enum IrRole
{
    User,
    Assistant,
    /// <summary>A message that only carries tool results (OpenAI role "tool", Anthropic user tool_result blocks, Gemini functionResponse).</summary>
    Tool,
}

public sealed record IrMessage(IrRole Role, ImmutableArray<IrPart> Parts)
{
    public bool Equals(IrMessage? other) => other is not null && Role == other.Role && IrEquality.Same(Parts, other.Parts);

    public override int GetHashCode() => HashCode.Combine(Role, IrEquality.Hash(Parts));
}

public sealed record IrTool(string Name, string? Description, string ParametersJson);

public enum IrToolChoiceKind
{
    Auto,
    None,
    Required,
    Specific,
}

public sealed record IrToolChoice(IrToolChoiceKind Kind, string? Name = null)
{
    public static readonly IrToolChoice Auto = new(IrToolChoiceKind.Auto);
    public static readonly IrToolChoice None = new(IrToolChoiceKind.None);
    public static readonly IrToolChoice Required = new(IrToolChoiceKind.Required);
}
