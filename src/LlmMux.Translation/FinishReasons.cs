using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>The single stop/finish-reason table (documented in docs/translation.md).</summary>
public static class FinishReasons
{
    public static IrFinishReason FromOpenAI(string? v) => v switch
    {
        "stop" => IrFinishReason.Stop,
        "length" => IrFinishReason.MaxTokens,
        "tool_calls" or "function_call" => IrFinishReason.ToolCalls,
        "content_filter" => IrFinishReason.ContentFilter,
        null => IrFinishReason.Stop,
        _ => IrFinishReason.Other,
    };

    public static string ToOpenAI(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "length",
        IrFinishReason.ToolCalls => "tool_calls",
        IrFinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };

    public static IrFinishReason FromAnthropic(string? v) => v switch
    {
        "end_turn" or "pause_turn" => IrFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => IrFinishReason.MaxTokens,
        "tool_use" => IrFinishReason.ToolCalls,
        "stop_sequence" => IrFinishReason.StopSequence,
        "refusal" => IrFinishReason.ContentFilter,
        null => IrFinishReason.Stop,
        _ => IrFinishReason.Other,
    };

    public static string ToAnthropic(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "max_tokens",
        IrFinishReason.ToolCalls => "tool_use",
        IrFinishReason.StopSequence => "stop_sequence",
        IrFinishReason.ContentFilter => "refusal",
        _ => "end_turn",
    };

    public static IrFinishReason FromGemini(string? v) => v switch
    {
        "STOP" or "FINISH_REASON_UNSPECIFIED" or null => IrFinishReason.Stop,
        "MAX_TOKENS" => IrFinishReason.MaxTokens,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => IrFinishReason.ContentFilter,
        "MALFORMED_FUNCTION_CALL" or "UNEXPECTED_TOOL_CALL" => IrFinishReason.Error,
        _ => IrFinishReason.Other,
    };

    public static string ToGemini(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "MAX_TOKENS",
        IrFinishReason.ContentFilter => "SAFETY",
        IrFinishReason.Error => "MALFORMED_FUNCTION_CALL",
        IrFinishReason.Other => "OTHER",
        // Gemini reports STOP for turns that end in function calls.
        _ => "STOP",
    };

    public static IrFinishReason FromOllama(string? v) => v switch
    {
        "length" => IrFinishReason.MaxTokens,
        _ => IrFinishReason.Stop,
    };

    public static string ToOllama(IrFinishReason r) => r == IrFinishReason.MaxTokens ? "length" : "stop";

    /// <summary>Responses API: status + incomplete_details.reason.</summary>
    public static IrFinishReason FromResponses(string? status, string? incompleteReason, bool hasToolCalls) => (status, incompleteReason) switch
    {
        ("incomplete", "max_output_tokens") => IrFinishReason.MaxTokens,
        ("incomplete", "content_filter") => IrFinishReason.ContentFilter,
        ("incomplete", _) => IrFinishReason.Other,
        ("failed", _) => IrFinishReason.Error,
        _ => hasToolCalls ? IrFinishReason.ToolCalls : IrFinishReason.Stop,
    };

    /// <summary>A turn that emitted tool calls is a tool-call turn even when the source said "stop" (Gemini does).</summary>
    public static IrFinishReason Normalise(IrFinishReason r, bool sawToolCall) =>
        sawToolCall && (r is IrFinishReason.Stop or IrFinishReason.Other) ? IrFinishReason.ToolCalls : r;
}
