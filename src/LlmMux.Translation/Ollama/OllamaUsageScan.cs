using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama puts its counts (<c>prompt_eval_count</c>, <c>eval_count</c>) at the top of the body, and of the
/// last stream line (<c>"done": true</c>); only that line is parsed.</summary>
internal sealed class OllamaUsageScan : UsageScanner
{
    public override void OnEvent(ReadOnlySpan<byte> name, ReadOnlyMemory<byte> data)
    {
        if (FastScan.IsTrue(data.Span, "done"u8) && ScanBody(data) is { } usage)
        {
            Usage = usage;
        }
    }

    public override Ir.IrUsage? ScanBody(ReadOnlyMemory<byte> body) =>
        FastScan.Decode(body, Range.All, e => OllamaResponse.DecodeUsage(e));
}
