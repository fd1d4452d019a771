namespace LlmMux.Translation.Ir;

/// <summary>One dialect-neutral streaming event. Decoders emit them as soon as an input event is complete;
/// encoders keep only the small state needed to frame them (open block, tool-call index map).</summary>
public abstract record IrStreamEvent;

/// <summary>Response metadata, emitted once before any content when the source knows it.</summary>
public sealed record IrStreamStart(string? Id, string? Model) : IrStreamEvent;

public sealed record IrTextDelta(string Text) : IrStreamEvent;

public sealed record IrReasoningDelta(string Text) : IrStreamEvent;

/// <summary>Signature (Anthropic) / encrypted content (Responses) / thoughtSignature (Gemini) of the current reasoning.</summary>
public sealed record IrReasoningSignature(string Signature) : IrStreamEvent;

public sealed record IrRedactedReasoning(string Data) : IrStreamEvent;

/// <summary>A tool call begins. <paramref name="Index"/> numbers the calls of this response from 0.</summary>
public sealed record IrToolCallStart(int Index, string Id, string Name, string? Signature = null) : IrStreamEvent;

/// <summary>A fragment of the JSON arguments of call <paramref name="Index"/>; concatenated fragments form the object.</summary>
public sealed record IrToolCallDelta(int Index, string ArgumentsFragment) : IrStreamEvent;

/// <summary>Usage so far (cumulative: the latest one wins; fields of 0 mean unknown).</summary>
public sealed record IrUsageUpdate(IrUsage Usage) : IrStreamEvent;

public sealed record IrFinish(IrFinishReason Reason) : IrStreamEvent;

/// <summary>An error reported inside the stream by the upstream.</summary>
public sealed record IrStreamError(string Message, string? Type = null) : IrStreamEvent;

/// <summary>The source stream ended cleanly (its terminator was seen).</summary>
public sealed record IrStreamEnd : IrStreamEvent
{
    public static readonly IrStreamEnd Instance = new();
}
