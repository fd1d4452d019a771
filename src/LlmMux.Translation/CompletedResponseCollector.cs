using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation;

/// <summary>Reads a Responses SSE stream as it arrives and keeps only the final response object: the non-streaming
/// answer of an upstream that always streams (Codex). Not thread-safe.</summary>
public interface ICompletedResponseCollector : IDisposable
{
    /// <summary>Consumes upstream bytes split anywhere. Throws <see cref="StreamEventTooLargeException"/> for an event
    /// larger than <see cref="TranslatorOptions.MaxEventBytes"/> (the collector then holds nothing and stays failed).</summary>
    void Feed(ReadOnlySpan<byte> chunk);

    /// <summary>Upstream ended: the raw JSON of the <c>response</c> object of the last <c>response.completed</c> or
    /// <c>response.done</c> event, or null when none arrived.</summary>
    byte[]? Complete();
}

internal sealed class CompletedResponseCollector(int maxEventBytes) : ICompletedResponseCollector, IFrameHandler
{
    // Same depth cap as the translator's documents, so a response it keeps is one the decoder can read.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    private readonly SseFramer _framer = new(maxEventBytes);
    private byte[]? _completed;

    public void Feed(ReadOnlySpan<byte> chunk) => _framer.Feed(chunk, this);

    public byte[]? Complete()
    {
        _framer.Complete(this);
        return _completed;
    }

    public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        try
        {
            var span = data.Span;
            if (FindCompletedResponse(span) is var (start, length))
            {
                _completed = span.Slice(start, length).ToArray();
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's [DONE], a broken delta): it carries no final response, and the old one still stands.
        }
    }

    public void Dispose() => _framer.Dispose();

    /// <summary>Where the <c>response</c> object of a completed event lies in <paramref name="json"/>. Reads top-level
    /// properties only as far as needed: a delta event is given up as soon as its <c>type</c> is read.</summary>
    private static (int Start, int Length)? FindCompletedResponse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        bool completed = false;
        (int Start, int Length)? response = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String
                    || !(reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.done"u8)))
                {
                    return null;
                }

                completed = true;
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                response = (start, (int)reader.BytesConsumed - start);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }

            if (completed && response is not null)
            {
                return response;
            }
        }

        return null;
    }
}
