using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>OpenAI's <c>finish_reason</c> (Chat Completions and the legacy Completions API share it).</summary>
internal static class OpenAIFinishReason
{
    public static IrFinishReason From(string? v) => v switch
    {
        "stop" => IrFinishReason.Stop,
        "length" => IrFinishReason.MaxTokens,
        "tool_calls" or "function_call" => IrFinishReason.ToolCalls,
        "content_filter" => IrFinishReason.ContentFilter,
        null => IrFinishReason.Stop,
        _ => IrFinishReason.Other,
    };

    public static string To(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "length",
        IrFinishReason.ToolCalls => "tool_calls",
        IrFinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };
}
