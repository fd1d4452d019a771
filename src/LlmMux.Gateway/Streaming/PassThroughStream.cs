using System.Buffers;
using LlmMux.Translation;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// An upstream body the client receives unchanged (same dialect): one pull stream that lets a usage tap read the token
/// counts as the bytes pass, reports them when the body ends, and — for streams — turns a broken upstream connection
/// into the dialect's stream error event and a clean end instead of a reset. The client going away is not caught:
/// cancellation still propagates to the upstream.
/// </summary>
/// <param name="errorEvents">The dialect's stream error events; null for whole bodies, which cannot carry one.</param>
internal sealed class PassThroughStream(Stream upstream, IUsageTap tap, Action<IrUsage?> onEnd, StreamErrorEvents? errorEvents, UpstreamStreamState? state = null)
    : PullStream(upstream, state)
{
    private byte[]? _buffer;
    private bool _ended;

    protected override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        int read;
        var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            read = await ReadSourceAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            var stalled = ex is UpstreamIdleException;
            if (State is { } watched)
            {
                watched.Fault = stalled ? UpstreamStreamFault.Stalled : UpstreamStreamFault.Broken;
            }

            if (errorEvents is null)
            {
                throw; // a whole body has no way to say it is cut short: YARP resets the connection
            }

            End();
            return stalled ? errorEvents.Stalled() : errorEvents.Broken();
        }

        if (read == 0)
        {
            End();
            return null;
        }

        tap.Feed(buffer.AsSpan(0, read));
        if (tap.EventTooLarge && errorEvents is not null)
        {
            // One event grew past the framers' limit: the client has its start, which never ends; close that line
            // first so the error event parses as an event of its own, then end the stream.
            if (State is { } watched)
            {
                watched.Fault = UpstreamStreamFault.EventTooLarge;
            }

            End();
            return errorEvents.TooLarge(closeLine: true);
        }

        return buffer.AsMemory(0, read);
    }

    protected override void Drained() => ReturnBuffer();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnBuffer();
            tap.Dispose();
        }

        base.Dispose(disposing);
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void End()
    {
        _ended = true;
        onEnd(tap.Complete());
    }
}
