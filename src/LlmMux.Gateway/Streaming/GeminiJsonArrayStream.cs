namespace LlmMux.Gateway.Streaming;

/// <summary>
/// Gemini's default <c>streamGenerateContent</c> framing (no <c>alt=sse</c>): one JSON array whose elements arrive
/// over time. Re-frames an SSE stream of GenerateContentResponse objects into that array, element by element.
/// </summary>
internal sealed class GeminiJsonArrayStream(Stream sse) : TransformingPullStream(sse, state: null)
{
    private readonly List<byte> _line = [];
    private bool _started;

    protected override async ValueTask TransformAsync(byte[] input, CancellationToken cancellationToken)
    {
        while (Output.WrittenCount == 0)
        {
            var read = await ReadSourceAsync(input, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                Append(_started ? "]"u8 : "[]"u8);
                Done = true;
                return;
            }

            foreach (var b in input.AsSpan(0, read))
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

    private void Append(ReadOnlySpan<byte> bytes) => Output.Write(bytes);
}
