using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>Anthropic's <c>stop_reason</c>.</summary>
internal static class AnthropicFinishReason
{
    public static IrFinishReason From(string? v) => v switch
    {
        "end_turn" or "pause_turn" => IrFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => IrFinishReason.MaxTokens,
        "tool_use" => IrFinishReason.ToolCalls,
        "stop_sequence" => IrFinishReason.StopSequence,
        "refusal" => IrFinishReason.ContentFilter,
        null => IrFinishReason.Stop,
        _ => IrFinishReason.Other,
    };

    public static string To(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "max_tokens",
        IrFinishReason.ToolCalls => "tool_use",
        IrFinishReason.StopSequence => "stop_sequence",
        IrFinishReason.ContentFilter => "refusal",
        _ => "end_turn",
    };
}
