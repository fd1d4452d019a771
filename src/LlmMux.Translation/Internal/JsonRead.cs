using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>Typed accessors over <see cref="JsonElement"/> that turn every shape mismatch into a
/// <see cref="TranslationException"/> instead of an InvalidOperationException.</summary>
internal static class JsonRead
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = false, MaxDepth = 256 };

    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException ex)
        {
            throw new TranslationException(TranslationErrorKind.InvalidJson, "invalid JSON: " + ex.Message, ex);
        }
    }

    public static JsonElement RootObject(JsonDocument doc)
    {
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw TranslationException.Type("$", "an object");
        }

        return root;
    }

    /// <summary>The property when present and not null.</summary>
    public static bool TryProp(this JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>True when the property holds a string equal to <paramref name="value"/>, without allocating it.</summary>
    public static bool Is(this JsonElement obj, string name, ReadOnlySpan<byte> value) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.ValueEquals(value);

    public static JsonElement Req(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            throw TranslationException.Missing(name);
        }

        return v;
    }

    public static string? Str(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw TranslationException.Type(name, "a string");
    }

    public static string ReqStr(this JsonElement obj, string name) =>
        obj.Str(name) ?? throw TranslationException.Missing(name);

    public static long? Long(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out long l))
            {
                return l;
            }

            if (v.TryGetDouble(out double d) && d >= long.MinValue && d <= long.MaxValue)
            {
                return (long)d;
            }
        }

        // Gemini's proto-JSON encodes int64 counters as strings.
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long s))
        {
            return s;
        }

        throw TranslationException.Type(name, "an integer");
    }

    public static int? Int(this JsonElement obj, string name)
    {
        long? l = obj.Long(name);
        return l is null ? null : (int)Math.Clamp(l.Value, int.MinValue, int.MaxValue);
    }

    public static double? Double(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw TranslationException.Type(name, "a number");
    }

    public static bool? Bool(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw TranslationException.Type(name, "a boolean"),
        };
    }

    public static JsonElement.ArrayEnumerator Arr(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return default;
        }

        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw TranslationException.Type(name, "an array");
    }

    public static JsonElement? Obj(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Object ? v : throw TranslationException.Type(name, "an object");
    }

    public static void ExpectObject(this JsonElement el, string path)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            throw TranslationException.Type(path, "an object");
        }
    }

    public static JsonElement ExpectObjectValue(this JsonElement el, string path)
    {
        el.ExpectObject(path);
        return el;
    }

    /// <summary>A string-or-array-of-strings field (OpenAI stop).</summary>
    public static System.Collections.Immutable.ImmutableArray<string> StrOrStrArray(this JsonElement obj, string name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return [];
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            return [v.GetString()!];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type(name, "a string or an array of strings");
        }

        var b = System.Collections.Immutable.ImmutableArray.CreateBuilder<string>();
        foreach (var e in v.EnumerateArray())
        {
            b.Add(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw TranslationException.Type(name, "an array of strings"));
        }

        return b.ToImmutable();
    }

    /// <summary>Raw JSON text of an object-valued field (schemas, tool arguments): kept verbatim.</summary>
    public static string RawObject(this JsonElement el, string path)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            throw TranslationException.Type(path, "an object");
        }

        return el.GetRawText();
    }

    // UTF-8 name overloads: the hot decoders look properties up with u8 literals, which skips transcoding the name
    // on every lookup (about twice as fast). Error paths turn the name back into text.
    public static bool TryProp(this JsonElement obj, ReadOnlySpan<byte> name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static bool Is(this JsonElement obj, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.ValueEquals(value);

    public static JsonElement Req(this JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryProp(name, out var v) ? v : throw TranslationException.Missing(Name(name));

    public static string? Str(this JsonElement obj, ReadOnlySpan<byte> name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw TranslationException.Type(Name(name), "a string");
    }

    public static string ReqStr(this JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.Str(name) ?? throw TranslationException.Missing(Name(name));

    public static long? Long(this JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryProp(name, out var v) ? AsLong(v, Name(name)) : null;

    public static int? Int(this JsonElement obj, ReadOnlySpan<byte> name)
    {
        long? l = obj.Long(name);
        return l is null ? null : (int)Math.Clamp(l.Value, int.MinValue, int.MaxValue);
    }

    public static double? Double(this JsonElement obj, ReadOnlySpan<byte> name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw TranslationException.Type(Name(name), "a number");
    }

    public static bool? Bool(this JsonElement obj, ReadOnlySpan<byte> name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw TranslationException.Type(Name(name), "a boolean"),
        };
    }

    public static JsonElement.ArrayEnumerator Arr(this JsonElement obj, ReadOnlySpan<byte> name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return default;
        }

        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw TranslationException.Type(Name(name), "an array");
    }

    public static JsonElement? Obj(this JsonElement obj, ReadOnlySpan<byte> name)
    {
        if (!obj.TryProp(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Object ? v : throw TranslationException.Type(Name(name), "an object");
    }

    public static System.Collections.Immutable.ImmutableArray<string> StrOrStrArray(this JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.StrOrStrArray(Name(name));

    private static string Name(ReadOnlySpan<byte> name) => System.Text.Encoding.UTF8.GetString(name);

    private static long? AsLong(JsonElement v, string name)
    {
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out long l))
            {
                return l;
            }

            if (v.TryGetDouble(out double d) && d >= long.MinValue && d <= long.MaxValue)
            {
                return (long)d;
            }
        }

        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long s))
        {
            return s;
        }

        throw TranslationException.Type(name, "an integer");
    }
}
