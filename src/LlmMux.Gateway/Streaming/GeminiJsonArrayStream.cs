using System.Buffers;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// Gemini's default <c>streamGenerateContent</c> framing (no <c>alt=sse</c>): one JSON array whose elements arrive
/// over time. Re-frames an SSE stream of GenerateContentResponse objects into that array, element by element.
/// </summary>
internal sealed class GeminiJsonArrayStream(Stream sse) : PullStream
{
    private readonly byte[] _input = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private readonly List<byte> _line = [];
    private bool _started;
    private bool _done;

    protected override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return null;
        }

        _output.ResetWrittenCount();
        while (_output.WrittenCount == 0)
        {
            var read = await sse.ReadAsync(_input, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                Append(_started ? "]"u8 : "[]"u8);
                _done = true;
                break;
            }

            foreach (var b in _input.AsSpan(0, read))
            {
                if (b != (byte)'\n')
                {
                    _line.Add(b);
                    continue;
                }

                EmitLine();
                _line.Clear();
            }
        }

        return _output.WrittenMemory;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ArrayPool<byte>.Shared.Return(_input);
            sse.Dispose();
        }

        base.Dispose(disposing);
    }

    private void EmitLine()
    {
        var line = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_line);
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (!line.StartsWith("data:"u8))
        {
            return;
        }

        var data = line[5..].TrimStart((byte)' ');
        if (data.IsEmpty || data.SequenceEqual("[DONE]"u8))
        {
            return;
        }

        Append(_started ? ",\r\n"u8 : "["u8);
        _started = true;
        Append(data);
    }

    private void Append(ReadOnlySpan<byte> bytes) => _output.Write(bytes);
}
