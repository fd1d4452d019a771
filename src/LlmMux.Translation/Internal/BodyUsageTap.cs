using System.Buffers;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Internal;

/// <summary>Keeps a passed-through JSON body (up to a cap) and reads its usage with the dialect's scan at the end.</summary>
internal sealed class BodyUsageTap(UsageScanner scanner) : IUsageTap
{
    /// <summary>Bodies larger than this are not scanned for usage: memory matters more than one count.</summary>
    private const int MaxBodyBytes = 8 * 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _body = new();
    private bool _tooLarge;

    /// <summary>A body has no events; its own cap only stops the usage count.</summary>
    public bool EventTooLarge => false;

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_tooLarge || _body.WrittenCount + chunk.Length > MaxBodyBytes)
        {
            _tooLarge = true;
            return;
        }

        _body.Write(chunk);
    }

    public IrUsage? Complete() => _tooLarge || _body.WrittenCount == 0 ? null : scanner.ScanBody(_body.WrittenMemory);

    public void Dispose()
    {
    }
}
