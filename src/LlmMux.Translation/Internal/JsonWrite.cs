using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmMux.Translation.Internal;

internal static class JsonWrite
{
    // Relaxed escaping keeps non-ASCII text and HTML-ish characters readable and byte-compact; output is JSON, not HTML.
    public static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Utf8JsonWriter? cached;

    /// <summary>A writer reset onto <paramref name="output"/>; reused per thread so the hot path allocates none.</summary>
    public static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var w = cached;
        if (w is null)
        {
            return new Utf8JsonWriter(output, Options);
        }

        cached = null;
        w.Reset(output);
        return w;
    }

    public static void Return(Utf8JsonWriter w)
    {
        w.Flush();
        // Point the cached writer at a sink that holds nothing so it never pins a caller's buffer.
        w.Reset(DetachedSink.Instance);
        cached = w;
    }

    /// <summary>Writes a raw JSON value, falling back to a string when the text is not valid JSON (arguments streamed
    /// by a model can be broken; the target still gets a well-formed document).</summary>
    public static void RawOrString(Utf8JsonWriter w, string? json, string emptyFallback = "{}")
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            w.WriteRawValue(emptyFallback, skipInputValidation: true);
            return;
        }

        try
        {
            w.WriteRawValue(json, skipInputValidation: false);
        }
        catch (JsonException)
        {
            w.WriteStringValue(json);
        }
    }

    public static void NumberIf(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } d)
        {
            w.WriteNumber(name, d);
        }
    }

    public static void NumberIf(Utf8JsonWriter w, string name, long? v)
    {
        if (v is { } d)
        {
            w.WriteNumber(name, d);
        }
    }

    public static void StringIf(Utf8JsonWriter w, string name, string? v)
    {
        if (v is not null)
        {
            w.WriteString(name, v);
        }
    }

    public static void StringOrNull(Utf8JsonWriter w, string name, string? v)
    {
        if (v is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, v);
        }
    }

    /// <summary>A string array (stop sequences and the like), left out when empty.</summary>
    public static void StringArrayIf(Utf8JsonWriter w, string name, System.Collections.Immutable.ImmutableArray<string> values)
    {
        if (values.IsDefaultOrEmpty)
        {
            return;
        }

        w.WritePropertyName(name);
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? scratch;

    /// <summary>Writes into a per-thread scratch buffer and copies out once, so a body costs one exact-size array.</summary>
    public static byte[] ToBytes(Action<Utf8JsonWriter> write)
    {
        var buffer = scratch ?? new ArrayBufferWriter<byte>(16 * 1024);
        scratch = null; // re-entrant use gets its own buffer
        var w = Rent(buffer);
        try
        {
            write(w);
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            Return(w);
            // Keep moderately sized buffers only; a huge one-off body should not stay pinned to the thread.
            if (buffer.Capacity <= 1024 * 1024)
            {
                buffer.ResetWrittenCount();
                scratch = buffer;
            }
        }
    }

    /// <summary>True when the text is a JSON object (tool results that are objects are passed as objects to Gemini).</summary>
    public static bool IsJsonObject(string text)
    {
        var span = text.AsSpan().TrimStart();
        if (span.IsEmpty || span[0] != '{')
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

internal sealed class DetachedSink : IBufferWriter<byte>
{
    public static readonly DetachedSink Instance = new();

    public void Advance(int count)
    {
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Array.Empty<byte>();

    public Span<byte> GetSpan(int sizeHint = 0) => [];
}
