using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>The one finish-reason rule every dialect shares; each dialect's own table lives in its folder
/// (<c>XFinishReason</c>, documented in docs/translation.md).</summary>
public static class FinishReasons
{
    /// <summary>A turn that emitted tool calls is a tool-call turn even when the source said "stop" (Gemini does).</summary>
    public static IrFinishReason Normalise(IrFinishReason r, bool sawToolCall) =>
        sawToolCall && (r is IrFinishReason.Stop or IrFinishReason.Other) ? IrFinishReason.ToolCalls : r;
}
