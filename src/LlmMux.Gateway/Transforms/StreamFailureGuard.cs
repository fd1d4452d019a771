using System.Net;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Wraps a streaming upstream body so that when the upstream connection breaks mid-stream the client gets its
/// dialect's stream error event and a clean end, instead of a reset connection. The client going away is not
/// caught: cancellation still propagates to the upstream.
/// </summary>
internal sealed class StreamFailureGuard(HttpContent inner, byte[] errorEvent) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new GuardedStream(await inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), errorEvent);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => throw new NotSupportedException();

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class GuardedStream(Stream upstream, byte[] errorEvent) : Stream
    {
        private ReadOnlyMemory<byte> _pending;
        private bool _failed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_failed)
            {
                return Drain(buffer.Span);
            }

            try
            {
                return await upstream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                _failed = true;
                _pending = errorEvent;
                return Drain(buffer.Span);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                upstream.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Drain(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _pending.Length);
            _pending.Span[..n].CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }
    }
}
