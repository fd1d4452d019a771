using System.Buffers;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Gemini;

/// <summary>
/// Gemini's default streamGenerateContent framing (no <c>alt=sse</c>) for a stream that is otherwise passed through:
/// the data of each SSE event becomes one element of a JSON array, copied as it is. Framing only: nothing is decoded,
/// and only the framer's bounded event buffer is held.
/// </summary>
internal sealed class GeminiJsonArrayFramer(int maxEventBytes) : IStreamTranslator, IFrameHandler
{
    private readonly SseFramer _framer = new(maxEventBytes);
    private IBufferWriter<byte>? _output;
    private bool _started;
    private bool _closed;

    public void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        _output = output;
        try
        {
            _framer.Feed(chunk, this);
        }
        finally
        {
            _output = null;
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        _output = output;
        try
        {
            _framer.Complete(this);
        }
        finally
        {
            _output = null;
        }

        Close(output);
    }

    public void WriteError(IBufferWriter<byte> output, string message, string? code = null)
    {
        if (_closed)
        {
            return;
        }

        var element = Dialects.Get(Dialect.Gemini).ErrorBody(500, message, code);
        Element(output, element);
        Close(output);
    }

    public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var payload = data.Span.Trim(" \t\r\n"u8);
        if (_closed || payload.IsEmpty || payload.SequenceEqual("[DONE]"u8))
        {
            return;
        }

        Element(_output!, payload);
    }

    public void Dispose() => _framer.Dispose();

    private void Element(IBufferWriter<byte> output, ReadOnlySpan<byte> json)
    {
        output.Write(_started ? ",\r\n"u8 : "["u8);
        _started = true;
        output.Write(json);
    }

    private void Close(IBufferWriter<byte> output)
    {
        if (!_closed)
        {
            _closed = true;
            output.Write(_started ? "]"u8 : "[]"u8);
        }
    }
}
