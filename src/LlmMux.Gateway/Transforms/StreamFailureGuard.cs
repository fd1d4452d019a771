using LlmMux.Gateway.Streaming;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Passes a streaming upstream body through so that, when the upstream connection breaks mid-stream, the client gets
/// its dialect's stream error event and a clean end instead of a reset connection. The client going away is not
/// caught: cancellation still propagates to the upstream.
/// </summary>
internal sealed class StreamFailureGuard(Stream upstream, byte[] errorEvent) : PullStream
{
    private readonly byte[] _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
    private bool _ended;

    protected override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        try
        {
            var read = await upstream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _ended = true;
                return null;
            }

            return _buffer.AsMemory(0, read);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            _ended = true;
            return errorEvent;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
            upstream.Dispose();
        }

        base.Dispose(disposing);
    }
}
