using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama's <c>done_reason</c>.</summary>
internal static class OllamaFinishReason
{
    public static IrFinishReason From(string? v) => v switch
    {
        "length" => IrFinishReason.MaxTokens,
        _ => IrFinishReason.Stop,
    };

    public static string To(IrFinishReason r) => r == IrFinishReason.MaxTokens ? "length" : "stop";
}
