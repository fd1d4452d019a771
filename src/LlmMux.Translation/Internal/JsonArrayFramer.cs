namespace LlmMux.Translation.Internal;

/// <summary>Incremental splitter for a streamed JSON array of objects (Gemini streamGenerateContent without
/// <c>alt=sse</c>): reports each top-level element once its closing brace arrives. Holds only the unfinished
/// element, at most <c>maxEventBytes</c>.</summary>
internal sealed class JsonArrayFramer(int maxEventBytes) : IDisposable
{
    private readonly ByteBuffer _pending = new();
    private int _scan;        // next byte of _pending to look at
    private int _depth;       // 0 = between elements
    private bool _inString;
    private bool _escape;
    private bool _opened;     // saw '['
    private bool _closed;     // saw the final ']'
    private bool _tooLarge;

    public bool Closed => _closed;

    internal int BufferCapacity => _pending.Capacity;

    public void Feed(ReadOnlySpan<byte> chunk, IFrameHandler handler)
    {
        if (_tooLarge)
        {
            throw new StreamEventTooLargeException(maxEventBytes);
        }

        _pending.Append(chunk);
        var span = _pending.Span;
        int start = 0;
        for (int i = _scan; i < span.Length; i++)
        {
            byte b = span[i];
            if (_inString)
            {
                if (_escape)
                {
                    _escape = false;
                }
                else if (b == (byte)'\\')
                {
                    _escape = true;
                }
                else if (b == (byte)'"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'[' when !_opened && _depth == 0:
                    _opened = true;
                    start = i + 1;
                    break;
                case (byte)'{' or (byte)'[':
                    if (_depth == 0)
                    {
                        start = i;
                    }

                    _depth++;
                    break;
                case (byte)'}' or (byte)']' when _depth > 0:
                    _depth--;
                    if (_depth == 0)
                    {
                        if (i + 1 - start > maxEventBytes)
                        {
                            Fail();
                        }

                        handler.OnFrame([], _pending.Memory[start..(i + 1)]);
                        span = _pending.Span;
                        start = i + 1;
                    }

                    break;
                case (byte)']':
                    _closed = true;
                    start = i + 1;
                    break;
                default:
                    if (_depth == 0)
                    {
                        start = i + 1; // whitespace and commas between elements
                    }

                    break;
            }
        }

        // Keep only the unfinished element; remember how far it was scanned.
        _pending.Consume(start);
        _scan = span.Length - start;
        if (_scan > maxEventBytes)
        {
            Fail();
        }
    }

    /// <summary>True when an element was cut off.</summary>
    public bool HasPartial => _depth > 0 || _inString;

    public void Dispose() => _pending.Dispose();

    private void Fail()
    {
        _tooLarge = true;
        _scan = 0;
        _pending.Release();
        throw new StreamEventTooLargeException(maxEventBytes);
    }
}
