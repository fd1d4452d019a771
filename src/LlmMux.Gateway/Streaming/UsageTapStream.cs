using LlmMux.Translation;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// Passes an upstream body through unchanged while a usage tap reads the token counts out of it; reports them once
/// the body has ended. Used for same-dialect answers, where nothing else decodes the body.
/// </summary>
internal sealed class UsageTapStream(Stream inner, IUsageTap tap, Action<IrUsage?> onEnd) : PullStream
{
    private readonly byte[] _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
    private bool _ended;

    protected override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        var read = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _ended = true;
            onEnd(tap.Complete());
            return null;
        }

        tap.Feed(_buffer.AsSpan(0, read));
        return _buffer.AsMemory(0, read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
            tap.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
