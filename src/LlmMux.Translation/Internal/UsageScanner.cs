using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Internal;

/// <summary>
/// One dialect's usage scan for one answer that passes through untranslated: fed each framed stream event (or the
/// whole body once), it keeps the latest token usage and skips everything else without decoding it. Never throws on
/// bad input.
/// </summary>
internal abstract class UsageScanner
{
    public IrUsage? Usage { get; protected set; }

    public abstract void OnEvent(ReadOnlySpan<byte> name, ReadOnlyMemory<byte> data);

    public abstract IrUsage? ScanBody(ReadOnlyMemory<byte> body);
}
