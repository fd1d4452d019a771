using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Gemini;

/// <summary>Every Gemini chunk (and body) may carry <c>usageMetadata</c>, inside <c>response</c> for Code Assist.</summary>
internal sealed class GeminiUsageScan(bool envelope) : UsageScanner
{
    public override void OnEvent(ReadOnlySpan<byte> name, ReadOnlyMemory<byte> data)
    {
        if (ScanBody(data) is { } usage)
        {
            Usage = usage;
        }
    }

    public override Ir.IrUsage? ScanBody(ReadOnlyMemory<byte> body) => envelope
        ? FastScan.Find(body, "response"u8, "usageMetadata"u8, e => GeminiResponse.DecodeUsage(e))
        : FastScan.Find(body, "usageMetadata"u8, default, e => GeminiResponse.DecodeUsage(e));
}
