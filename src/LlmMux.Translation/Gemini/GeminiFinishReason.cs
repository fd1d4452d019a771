using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>Gemini's <c>finishReason</c>.</summary>
internal static class GeminiFinishReason
{
    public static IrFinishReason From(string? v) => v switch
    {
        "STOP" or "FINISH_REASON_UNSPECIFIED" or null => IrFinishReason.Stop,
        "MAX_TOKENS" => IrFinishReason.MaxTokens,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => IrFinishReason.ContentFilter,
        "MALFORMED_FUNCTION_CALL" or "UNEXPECTED_TOOL_CALL" => IrFinishReason.Error,
        _ => IrFinishReason.Other,
    };

    public static string To(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "MAX_TOKENS",
        IrFinishReason.ContentFilter => "SAFETY",
        IrFinishReason.Error => "MALFORMED_FUNCTION_CALL",
        IrFinishReason.Other => "OTHER",
        // Gemini reports STOP for turns that end in function calls.
        _ => "STOP",
    };
}
