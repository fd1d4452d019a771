namespace LlmMux.Translation.Internal;

internal interface IFrameHandler
{
    /// <summary>One complete frame: the SSE event name (empty when absent) and its data (lines joined by \n).</summary>
    void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data);
}

/// <summary>Incremental Server-Sent-Events parser: accepts bytes split anywhere and reports each event once its
/// terminating blank line arrives. Only the current partial line and event are held, each at most
/// <c>maxEventBytes</c>; every byte is scanned once, however long a line takes to end.</summary>
internal sealed class SseFramer(int maxEventBytes) : IEventFramer
{
    private readonly ByteBuffer _pending = new(); // the unterminated line; never holds a '\n'
    private readonly ByteBuffer _data = new();
    private readonly ByteBuffer _event = new();
    private bool _hasData;
    private bool _tooLarge;

    /// <summary>Bytes searched for line ends so far (for tests: it must not exceed the bytes fed).</summary>
    internal long BytesScanned { get; private set; }

    internal int BufferCapacity => _pending.Capacity + _data.Capacity + _event.Capacity;

    public void Feed(ReadOnlySpan<byte> chunk, IFrameHandler handler)
    {
        ThrowIfTooLarge();
        while (!chunk.IsEmpty)
        {
            int nl = chunk.IndexOf((byte)'\n');
            if (nl < 0)
            {
                BytesScanned += chunk.Length;

                // A lone trailing \r may still be a CRLF whose \n is in the next chunk; it does not count.
                if ((long)_pending.Length + chunk.Length - (chunk[^1] == (byte)'\r' ? 1 : 0) > maxEventBytes)
                {
                    Fail();
                }

                _pending.Append(chunk);
                return;
            }

            BytesScanned += nl + 1;
            ReadOnlySpan<byte> line;
            if (_pending.Length == 0)
            {
                line = chunk[..nl]; // the common case: the whole line is in this chunk, no copy
            }
            else
            {
                if ((long)_pending.Length + nl - 1 > maxEventBytes)
                {
                    Fail();
                }

                _pending.Append(chunk[..nl]);
                line = _pending.Span;
            }

            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.Length > maxEventBytes)
            {
                Fail();
            }

            chunk = chunk[(nl + 1)..];
            try
            {
                ProcessLine(line, handler);
            }
            finally
            {
                _pending.Clear();
            }
        }
    }

    /// <summary>Flushes a final event that lacked its blank line. Returns false when nothing was pending.</summary>
    public bool Complete(IFrameHandler handler)
    {
        ThrowIfTooLarge();
        bool any = false;
        if (_pending.Length > 0)
        {
            var line = _pending.Span;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!line.IsWhiteSpace())
            {
                ProcessLine(line, handler);
                any = true;
            }

            _pending.Clear();
        }

        if (_hasData)
        {
            Dispatch(handler);
            any = true;
        }

        return any;
    }

    public void Dispose()
    {
        _pending.Dispose();
        _data.Dispose();
        _event.Dispose();
    }

    private void ProcessLine(ReadOnlySpan<byte> line, IFrameHandler handler)
    {
        if (line.IsEmpty)
        {
            if (_hasData)
            {
                Dispatch(handler);
            }
            else
            {
                _event.Clear();
            }

            return;
        }

        if (line[0] == (byte)':')
        {
            return; // comment / keep-alive
        }

        int colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if ((long)_data.Length + (_hasData ? 1 : 0) + value.Length > maxEventBytes)
            {
                Fail();
            }

            if (_hasData)
            {
                _data.Append("\n"u8);
            }

            _data.Append(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _event.Clear();
            _event.Append(value);
        }
    }

    private void ThrowIfTooLarge()
    {
        if (_tooLarge)
        {
            throw new StreamEventTooLargeException(maxEventBytes);
        }
    }

    private void Fail()
    {
        _tooLarge = true;
        _hasData = false;
        _pending.Release();
        _data.Release();
        _event.Release();
        throw new StreamEventTooLargeException(maxEventBytes);
    }

    private void Dispatch(IFrameHandler handler)
    {
        try
        {
            handler.OnFrame(_event.Span, _data.Memory);
        }
        finally
        {
            _data.Clear();
            _event.Clear();
            _hasData = false;
        }
    }
}

/// <summary>Incremental newline-delimited JSON splitter (Ollama). Holds only the unterminated line, at most
/// <c>maxEventBytes</c>, and remembers how far it was searched so each byte is scanned once.</summary>
internal sealed class NdjsonFramer(int maxEventBytes) : IEventFramer
{
    private readonly ByteBuffer _pending = new();
    private int _scanned; // leading bytes of _pending known to hold no '\n'
    private bool _tooLarge;

    /// <summary>Bytes searched for line ends so far (for tests: it must not exceed the bytes fed).</summary>
    internal long BytesScanned { get; private set; }

    internal int BufferCapacity => _pending.Capacity;

    public void Feed(ReadOnlySpan<byte> chunk, IFrameHandler handler)
    {
        ThrowIfTooLarge();
        _pending.Append(chunk);
        while (true)
        {
            var span = _pending.Span;
            int found = span[_scanned..].IndexOf((byte)'\n');
            if (found < 0)
            {
                BytesScanned += span.Length - _scanned;
                _scanned = span.Length;
                if (span.Length - (span.IsEmpty || span[^1] != (byte)'\r' ? 0 : 1) > maxEventBytes)
                {
                    Fail();
                }

                return;
            }

            BytesScanned += found + 1;
            int nl = _scanned + found;
            _scanned = 0;
            var line = span[..nl];
            if (line.Length - (line.IsEmpty || line[^1] != (byte)'\r' ? 0 : 1) > maxEventBytes)
            {
                Fail();
            }

            var memory = _pending.Memory[..nl];
            _pending.Consume(nl + 1);
            if (!line.IsWhiteSpace())
            {
                handler.OnFrame([], memory); // the consumed bytes stay valid until the next Append
            }
        }
    }

    public bool Complete(IFrameHandler handler)
    {
        ThrowIfTooLarge();
        _scanned = 0;
        if (_pending.Length == 0 || _pending.Span.IsWhiteSpace())
        {
            _pending.Clear();
            return false;
        }

        try
        {
            handler.OnFrame([], _pending.Memory);
        }
        finally
        {
            _pending.Clear();
        }

        return true;
    }

    public void Dispose() => _pending.Dispose();

    private void ThrowIfTooLarge()
    {
        if (_tooLarge)
        {
            throw new StreamEventTooLargeException(maxEventBytes);
        }
    }

    private void Fail()
    {
        _tooLarge = true;
        _scanned = 0;
        _pending.Release();
        throw new StreamEventTooLargeException(maxEventBytes);
    }
}

internal static class SpanExtensions
{
    public static bool IsWhiteSpace(this ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
