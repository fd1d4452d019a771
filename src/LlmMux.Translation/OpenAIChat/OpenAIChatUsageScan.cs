using LlmMux.Translation.Internal;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>Chat Completions (and legacy Completions) carry <c>usage</c> at the top of the body or of a stream chunk
/// (the last one when <c>include_usage</c> was asked).</summary>
internal sealed class OpenAIChatUsageScan : UsageScanner
{
    public override void OnEvent(ReadOnlySpan<byte> name, ReadOnlyMemory<byte> data)
    {
        if (FastScan.Find(data, "usage"u8, default, e => OpenAIChatResponse.DecodeUsage(e)) is { } usage)
        {
            Usage = usage;
        }
    }

    public override Ir.IrUsage? ScanBody(ReadOnlyMemory<byte> body) => FastScan.Find(body, "usage"u8, default, e => OpenAIChatResponse.DecodeUsage(e));
}
