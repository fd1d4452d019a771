using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>A Messages body has <c>usage</c> at the top. A stream has input counts in <c>message_start</c>'s
/// <c>message.usage</c> and cumulative counts in <c>message_delta</c>'s <c>usage</c>, merged as the decoder does.</summary>
internal sealed class AnthropicUsageScan : UsageScanner
{
    private IrUsage _usage = new(0, 0);

    public override void OnEvent(ReadOnlySpan<byte> name, ReadOnlyMemory<byte> data)
    {
        if (FastScan.TryFindObject(data.Span, "usage"u8, default, out var delta) && FastScan.StringIs(data.Span, "type"u8, "message_delta"u8))
        {
            if (FastScan.Decode(data, delta, e => AnthropicResponse.MergeDeltaUsage(_usage, e)) is { } merged)
            {
                Usage = _usage = merged;
            }
        }
        else if (FastScan.TryFindObject(data.Span, "message"u8, "usage"u8, out var start) && FastScan.StringIs(data.Span, "type"u8, "message_start"u8)
            && FastScan.Decode(data, start, e => AnthropicResponse.DecodeUsage(e)) is { } started)
        {
            Usage = _usage = started;
        }
    }

    public override IrUsage? ScanBody(ReadOnlyMemory<byte> body) => FastScan.Find(body, "usage"u8, default, e => AnthropicResponse.DecodeUsage(e));
}
