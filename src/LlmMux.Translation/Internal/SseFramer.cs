namespace LlmMux.Translation.Internal;

internal interface IFrameHandler
{
    /// <summary>One complete frame: the SSE event name (empty when absent) and its data (lines joined by \n).</summary>
    void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data);
}

/// <summary>Incremental Server-Sent-Events parser: accepts bytes split anywhere and reports each event once its
/// terminating blank line arrives. Only the current partial event is held.</summary>
internal sealed class SseFramer : IDisposable
{
    private readonly ByteBuffer _pending = new();
    private readonly ByteBuffer _data = new();
    private readonly ByteBuffer _event = new();
    private bool _hasData;

    public void Feed(ReadOnlySpan<byte> chunk, IFrameHandler handler)
    {
        _pending.Append(chunk);
        while (true)
        {
            var span = _pending.Span;
            int nl = span.IndexOf((byte)'\n');
            if (nl < 0)
            {
                // A lone trailing \r may still be a CRLF whose \n is in the next chunk; wait for it.
                return;
            }

            var line = span[..nl];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            ProcessLine(line, handler);
            _pending.Consume(nl + 1);
        }
    }

    /// <summary>Flushes a final event that lacked its blank line. Returns false when nothing was pending.</summary>
    public bool Complete(IFrameHandler handler)
    {
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

/// <summary>Incremental newline-delimited JSON splitter (Ollama).</summary>
internal sealed class NdjsonFramer : IDisposable
{
    private readonly ByteBuffer _pending = new();

    public void Feed(ReadOnlySpan<byte> chunk, IFrameHandler handler)
    {
        _pending.Append(chunk);
        while (true)
        {
            var span = _pending.Span;
            int nl = span.IndexOf((byte)'\n');
            if (nl < 0)
            {
                return;
            }

            var memory = _pending.Memory[..nl];
            if (!span[..nl].IsWhiteSpace())
            {
                handler.OnFrame([], memory);
            }

            _pending.Consume(nl + 1);
        }
    }

    public bool Complete(IFrameHandler handler)
    {
        if (_pending.Length == 0 || _pending.Span.IsWhiteSpace())
        {
            _pending.Clear();
            return false;
        }

        handler.OnFrame([], _pending.Memory);
        _pending.Clear();
        return true;
    }

    public void Dispose() => _pending.Dispose();
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
