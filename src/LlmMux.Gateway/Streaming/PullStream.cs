namespace LlmMux.Gateway.Streaming;

/// <summary>
/// A read-only stream that hands out bytes produced on demand by <see cref="FillAsync"/> from a <paramref name="source"/>
/// stream. YARP's copy loop pulls from it and writes each read to the client at once, so every produced chunk (one or
/// more whole events) is flushed as soon as it exists, and YARP keeps resetting its activity timeout.
/// </summary>
/// <remarks>
/// YARP asks with an empty read whether data is there and rents its 64 KB copy buffer only once that read returns.
/// Passing the empty read on to the upstream connection (which waits without a buffer) means a stream between two
/// events holds neither YARP's buffer nor ours: at 1,024 open streams that is the difference of ~100 MB.
/// <para>
/// The stream keeps its own idle watch (<see cref="UpstreamStreamState.IdleTimeout"/>, shorter than YARP's activity
/// timeout): when the upstream goes silent, a read fails with <see cref="UpstreamIdleException"/> while YARP's token is
/// still good, so the subclass can still hand the client the dialect's error event instead of a reset connection.
/// </para>
/// </remarks>
internal abstract class PullStream(Stream source, UpstreamStreamState? state = null) : Stream
{
    private ReadOnlyMemory<byte> _pending;
    private bool _ended;
    private Exception? _waitFailure;
    private CancellationTokenSource? _idle;
    private CancellationToken _idleLinkedTo;

    /// <summary>What the upstream did, for the health policy; null when nobody watches.</summary>
    protected UpstreamStreamState? State => state;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            if (_pending.IsEmpty && !_ended && _waitFailure is null)
            {
                await WaitForSourceAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }

        while (_pending.IsEmpty)
        {
            if (_ended)
            {
                return 0;
            }

            var next = await FillAsync(cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                _ended = true;
            }
            else
            {
                _pending = next.Value;
            }
        }

        var n = Math.Min(buffer.Length, _pending.Length);
        _pending.Span[..n].CopyTo(buffer.Span);
        _pending = _pending[n..];
        if (_pending.IsEmpty)
        {
            Drained();
        }

        return n;
    }

    /// <summary>Reads the source; a failure seen while waiting for data surfaces here, where the subclass handles it.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<int> ReadSourceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_waitFailure is { } failure)
        {
            _waitFailure = null;
            throw failure;
        }

        if (Watch(cancellationToken) is not { } idle)
        {
            return await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await source.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && idle.IsCancellationRequested)
        {
            throw new UpstreamIdleException();
        }
        finally
        {
            Unwatch(idle);
        }
    }

    /// <summary>Arms the idle timer for one read; the source is linked once per stream, as YARP passes one token throughout.</summary>
    private CancellationTokenSource? Watch(CancellationToken cancellationToken)
    {
        if (state is null || state.IdleTimeout == Timeout.InfiniteTimeSpan || state.IdleTimeout <= TimeSpan.Zero)
        {
            return null;
        }

        if (_idle is null || _idle.IsCancellationRequested || _idleLinkedTo != cancellationToken)
        {
            _idle?.Dispose();
            _idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _idleLinkedTo = cancellationToken;
        }

        _idle.CancelAfter(state.IdleTimeout);
        return _idle;
    }

    private static void Unwatch(CancellationTokenSource idle)
    {
        if (!idle.IsCancellationRequested)
        {
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Called when everything <see cref="FillAsync"/> produced has been read: the moment to give buffers back.</summary>
    protected virtual void Drained()
    {
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The next bytes for the client (may be empty), or null at the end of the stream.</summary>
    protected abstract ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            source.Dispose();
            _idle?.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask WaitForSourceAsync(CancellationToken cancellationToken)
    {
        var idle = Watch(cancellationToken);
        try
        {
            await source.ReadAsync(Memory<byte>.Empty, idle?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && idle?.IsCancellationRequested == true)
        {
            _waitFailure = new UpstreamIdleException();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Kept for the real read that follows, so a broken upstream is handled in one place (FillAsync).
            _waitFailure = ex;
        }
        finally
        {
            if (idle is not null)
            {
                Unwatch(idle);
            }
        }
    }
}

/// <summary>An <see cref="HttpContent"/> whose body is a <see cref="PullStream"/> built over the upstream's body.</summary>
internal sealed class PullStreamContent(HttpContent upstream, Func<Stream, Stream> wrap) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => wrap(await upstream.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => throw new NotSupportedException();

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            upstream.Dispose();
        }

        base.Dispose(disposing);
    }
}
