using System.Collections.Immutable;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>What the gateway can force while translating a request.</summary>
public sealed record RequestOverrides
{
    /// <summary>Upstream model id (replaces the client's).</summary>
    public string? Model { get; init; }

    /// <summary>Reasoning settings (e.g. from a model suffix); replaces the client's.</summary>
    public IrReasoningConfig? Reasoning { get; init; }

    /// <summary>Streaming flag when the dialect carries it outside the body (Gemini: streamGenerateContent URL).</summary>
    public bool? Stream { get; init; }

    /// <summary>Google Cloud project for the Code Assist envelope (replaces the caller's).</summary>
    public string? CodeAssistProject { get; init; }

    /// <summary>Text that must open the system prompt (the Claude Code identity for Claude OAuth tokens): the first
    /// system block, unless that block already is this text; the caller's system prompt follows it.</summary>
    public string? SystemPrefix { get; init; }

    /// <summary>Top-level fields the upstream rejects: not in the body it receives.</summary>
    public ImmutableArray<string> RemoveFields { get; init; } = [];

    /// <summary>Top-level fields set to these values whatever the body held (in place, or added last).</summary>
    public ImmutableArray<BodyField> ForceFields { get; init; } = [];

    /// <summary>Top-level fields set to these values when the body holds no non-empty string there (absent, null,
    /// empty, or not a string).</summary>
    public ImmutableArray<BodyField> DefaultFields { get; init; } = [];

    /// <summary>Payload rules of the config (defaults, overrides, removals at a path), applied in order after the
    /// fields above, in the same pass over the body.</summary>
    public ImmutableArray<PayloadEdit> PayloadEdits { get; init; } = [];

    /// <summary>Any of the field edits above (they apply to the body the upstream receives, whatever the path: the
    /// client's bytes, or the encoder's output).</summary>
    internal bool HasFieldEdits => !RemoveFields.IsDefaultOrEmpty || !ForceFields.IsDefaultOrEmpty || !DefaultFields.IsDefaultOrEmpty || !PayloadEdits.IsDefaultOrEmpty;

    /// <summary>True when this changes nothing but the model (a same-dialect body can then go out untouched when the
    /// model is the client's).</summary>
    public bool OnlyModel => Reasoning is null && SystemPrefix is null && CodeAssistProject is null && !HasFieldEdits;

    /// <summary>
    /// A Gemini-dialect body for a Claude model served behind Google (Antigravity's <c>claude-*</c>): tool schemas go as
    /// <c>parameters</c> cleaned to what Google's Schema message and Claude both take (<c>parametersJsonSchema</c>
    /// does not reach Claude: "tools.0.custom.input_schema: Field required"), and <c>maxOutputTokens</c> is kept above
    /// the thinking budget (Claude rejects a budget that is not below it).
    /// </summary>
    public bool GeminiForClaude { get; init; }

    /// <summary>max_tokens used for targets that require it (Anthropic) when the client gave none.</summary>
    public int DefaultMaxTokens { get; init; } = 8192;
}

/// <summary>Facts the stream translator cannot read from the stream itself.</summary>
public sealed record StreamContext
{
    public static readonly StreamContext Default = new();

    /// <summary>Model id to report to the client when the upstream stream does not name one (or to hide the upstream id).</summary>
    public string? Model { get; init; }

    /// <summary>OpenAI clients only get a usage chunk when they asked with stream_options.include_usage.</summary>
    public bool IncludeUsage { get; init; } = true;

    /// <summary>Gemini clients that called streamGenerateContent without <c>alt=sse</c> get a JSON array
    /// (<c>[{…},{…}]</c>) instead of SSE.</summary>
    public bool GeminiJsonArray { get; init; }

    /// <summary>Estimated input tokens to put in Anthropic's message_start when the upstream reports usage only at the end.</summary>
    public long? EstimatedInputTokens { get; init; }
}

/// <summary>Limits of one <see cref="Translator"/>; <see cref="Translator.Default"/> uses <see cref="Default"/>.</summary>
public sealed record TranslatorOptions
{
    /// <summary>16 MiB: far above any real event (a large tool call or image is a few MiB) and small enough that a
    /// broken or hostile upstream cannot grow the process by much.</summary>
    public const int DefaultMaxEventBytes = 16 * 1024 * 1024;

    public static readonly TranslatorOptions Default = new();

    /// <summary>The largest stream event a decoder holds while it waits for the event's end: an SSE line or the joined
    /// <c>data</c> of one SSE event, an NDJSON line, one element of a streamed JSON array. A larger one makes the
    /// decoder throw <see cref="StreamEventTooLargeException"/>.</summary>
    public int MaxEventBytes { get; init; } = DefaultMaxEventBytes;
}
