using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>The Responses API has no finish reason: it is read from <c>status</c> and <c>incomplete_details.reason</c>.</summary>
internal static class ResponsesFinishReason
{
    public static IrFinishReason From(string? status, string? incompleteReason, bool hasToolCalls) => (status, incompleteReason) switch
    {
        ("incomplete", "max_output_tokens") => IrFinishReason.MaxTokens,
        ("incomplete", "content_filter") => IrFinishReason.ContentFilter,
        ("incomplete", _) => IrFinishReason.Other,
        ("failed", _) => IrFinishReason.Error,
        _ => hasToolCalls ? IrFinishReason.ToolCalls : IrFinishReason.Stop,
    };
}
