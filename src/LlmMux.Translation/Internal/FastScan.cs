using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Internal;

/// <summary>
/// Utf8JsonReader scans that find one small value in a stream event or body without building anything for the rest:
/// the dialects' usage scans use them to read token counts from answers they pass through untouched. A scan that
/// meets something unexpected says "not found"; it never throws.
/// </summary>
internal static class FastScan
{
    /// <summary>The object at <paramref name="first"/> (or <paramref name="first"/>.<paramref name="second"/> when that
    /// is not empty) of a JSON object, as a range of <paramref name="json"/>.</summary>
    public static bool TryFindObject(ReadOnlySpan<byte> json, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, out Range range)
    {
        range = default;
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject || !TryEnter(ref r, first))
            {
                return false;
            }

            if (!second.IsEmpty && !TryEnter(ref r, second))
            {
                return false;
            }

            int start = (int)r.TokenStartIndex;
            r.Skip();
            range = start..(int)r.BytesConsumed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether the top-level string property <paramref name="name"/> equals <paramref name="value"/>; stops
    /// at that property, which event formats put first.</summary>
    public static bool StringIs(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var r = new Utf8JsonReader(json);
        return TryReadTopLevel(ref r, name) && r.TokenType == JsonTokenType.String && r.ValueTextEquals(value);
    }

    /// <summary>Whether the top-level property <paramref name="name"/> is <c>true</c>.</summary>
    public static bool IsTrue(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var r = new Utf8JsonReader(json);
        return TryReadTopLevel(ref r, name) && r.TokenType == JsonTokenType.True;
    }

    /// <summary>Parses just the found object and reads it with the dialect's own usage decoder, so a scan reports
    /// exactly what the full decoder would.</summary>
    public static IrUsage? Decode(ReadOnlyMemory<byte> json, Range range, Func<JsonElement, IrUsage?> decode)
    {
        try
        {
            using var doc = JsonDocument.Parse(json[range]);
            return decode(doc.RootElement);
        }
        catch (Exception ex) when (ex is TranslationException || Translator.IsShapeError(ex))
        {
            return null;
        }
    }

    /// <summary><see cref="TryFindObject"/> then <see cref="Decode"/>.</summary>
    public static IrUsage? Find(ReadOnlyMemory<byte> json, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Func<JsonElement, IrUsage?> decode) =>
        TryFindObject(json.Span, first, second, out var range) ? Decode(json, range, decode) : null;

    /// <summary>Moves a fresh reader onto the value of the top-level property <paramref name="name"/>; false when the
    /// JSON is not an object, lacks it, or is not valid up to it.</summary>
    private static bool TryReadTopLevel(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                bool match = r.ValueTextEquals(name);
                r.Read();
                if (match)
                {
                    return true;
                }

                r.Skip();
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Moves the reader, inside an object, onto the start of the object value of <paramref name="name"/>.</summary>
    private static bool TryEnter(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            bool match = r.ValueTextEquals(name);
            r.Read();
            if (match)
            {
                return r.TokenType == JsonTokenType.StartObject;
            }

            r.Skip();
        }

        return false;
    }
}
