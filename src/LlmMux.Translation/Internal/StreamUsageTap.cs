using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Internal;

/// <summary>
/// Frames a passed-through stream (SSE, NDJSON, or a JSON array when it starts with <c>[</c>) and hands each event to
/// the dialect's usage scan. Only the framers' bounded buffers are held; nothing is decoded but the usage objects.
/// </summary>
internal sealed class StreamUsageTap(StreamFraming framing, UsageScanner scanner, int maxEventBytes) : IUsageTap, IFrameHandler
{
    private SseFramer? _sse;
    private NdjsonFramer? _ndjson;
    private JsonArrayFramer? _array;
    private bool _broken;

    public bool EventTooLarge { get; private set; }

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            if (_sse is null && _ndjson is null && _array is null && !Start(chunk))
            {
                return;
            }

            if (_array is not null)
            {
                _array.Feed(chunk, this);
            }
            else if (_ndjson is not null)
            {
                _ndjson.Feed(chunk, this);
            }
            else
            {
                _sse!.Feed(chunk, this);
            }
        }
        catch (TranslationException ex)
        {
            // Usage is best effort: the client's stream is not this tap's business. The framer is done with, so its
            // buffers go back now rather than when the response ends.
            _broken = true;
            EventTooLarge = ex is StreamEventTooLargeException;
            Dispose();
        }
    }

    public IrUsage? Complete()
    {
        if (!_broken)
        {
            try
            {
                _sse?.Complete(this);
                _ndjson?.Complete(this);
            }
            catch (TranslationException)
            {
                // a last event cut short carries no usage worth more than what was seen
            }
        }

        return scanner.Usage;
    }

    public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data) => scanner.OnEvent(eventName, data);

    public void Dispose()
    {
        _sse?.Dispose();
        _ndjson?.Dispose();
        _array?.Dispose();
    }

    /// <summary>Picks the framer from the first byte that is not white space; false while there is none yet.</summary>
    private bool Start(ReadOnlySpan<byte> chunk)
    {
        var trimmed = chunk.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            return false;
        }

        if (trimmed[0] == (byte)'[')
        {
            _array = new JsonArrayFramer(maxEventBytes);
        }
        else if (framing == StreamFraming.Ndjson)
        {
            _ndjson = new NdjsonFramer(maxEventBytes);
        }
        else
        {
            _sse = new SseFramer(maxEventBytes);
        }

        return true;
    }
}
