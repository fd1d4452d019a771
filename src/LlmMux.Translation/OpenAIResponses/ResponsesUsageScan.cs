using LlmMux.Translation.Internal;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>A Responses body has <c>usage</c> at the top; a stream has it in <c>response.usage</c> of its closing
/// event (<c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c>).</summary>
internal sealed class ResponsesUsageScan : UsageScanner
{
    public override void OnEvent(ReadOnlySpan<byte> name, ReadOnlyMemory<byte> data)
    {
        if (FastScan.TryFindObject(data.Span, "response"u8, "usage"u8, out var range)
            && (FastScan.StringIs(data.Span, "type"u8, "response.completed"u8) || FastScan.StringIs(data.Span, "type"u8, "response.incomplete"u8)
                || FastScan.StringIs(data.Span, "type"u8, "response.failed"u8))
            && FastScan.Decode(data, range, e => ResponsesResponse.DecodeUsage(e)) is { } usage)
        {
            Usage = usage;
        }
    }

    public override Ir.IrUsage? ScanBody(ReadOnlyMemory<byte> body) => FastScan.Find(body, "usage"u8, default, e => ResponsesResponse.DecodeUsage(e));
}
