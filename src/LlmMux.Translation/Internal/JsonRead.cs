using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>Typed accessors over <see cref="JsonElement"/> that turn every shape mismatch into a
/// <see cref="TranslationException"/> instead of an InvalidOperationException.</summary>
internal static class JsonRead
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = false, MaxDepth = 256 };

    /// <summary>The same limits as <see cref="Parse"/> for the reader-based request decoders and the body splice.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { AllowTrailingCommas = false, MaxDepth = 256 };

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

    /// <summary>Parses <paramref name="body"/> with <see cref="Parse"/> and decodes its root object, for the dialects
    /// whose request decoder works on elements.</summary>
    public static T DecodeRoot<T>(ReadOnlyMemory<byte> body, Func<JsonElement, T> decode)
    {
        using var doc = Parse(body);
        return decode(RootObject(doc));
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

    public static long? Long(this JsonElement obj, string name) =>
        obj.TryProp(name, out var v) ? AsLong(v, name) : null;

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
    public static System.Collections.Immutable.ImmutableArray<string> StrOrStrArray(this JsonElement obj, string name) =>
        obj.TryProp(name, out var v) ? StrOrStrArrayValue(v, name) : [];

    /// <summary><see cref="StrOrStrArray(JsonElement, string)"/> on the value itself.</summary>
    public static System.Collections.Immutable.ImmutableArray<string> StrOrStrArrayValue(JsonElement v, string name)
    {
        if (v.ValueKind == JsonValueKind.Null)
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

    /// <summary>The integer rules of <see cref="Long(ref Utf8JsonReader, string)"/>, read from the value's own bytes so
    /// the element and reader accessors agree.</summary>
    private static long? AsLong(JsonElement v, string name)
    {
        var r = new Utf8JsonReader(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(v), ReaderOptions);
        r.Read();
        return Long(ref r, name);
    }

    // Reader-side accessors for the request decoders that read the body straight into the IR: the reader sits on a
    // property's value, null counts as absent, and a wrong type throws the same TranslationException the element
    // accessors above throw, naming the field.

    /// <summary>A reader on the body's first token, which must open an object (malformed JSON is reported as such).</summary>
    public static Utf8JsonReader RootReader(ReadOnlySpan<byte> body)
    {
        var r = new Utf8JsonReader(body, ReaderOptions);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            throw TranslationException.Type("$", "an object");
        }

        return r;
    }

    /// <summary>Throws <see cref="JsonException"/> unless the body is one well-formed JSON value.</summary>
    public static void Validate(ReadOnlySpan<byte> body)
    {
        var r = new Utf8JsonReader(body, ReaderOptions);
        r.Read();
        r.Skip();
        EndOfBody(ref r);
    }

    /// <summary>After the root object's end: nothing but whitespace may follow.</summary>
    public static void EndOfBody(ref Utf8JsonReader r)
    {
        if (r.Read())
        {
            throw new JsonException("content after the end of the body");
        }
    }

    public static string? Str(ref Utf8JsonReader r, string name) => r.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => r.GetString(),
        _ => throw TranslationException.Type(name, "a string"),
    };

    public static string ReqStr(ref Utf8JsonReader r, string name) => Str(ref r, name) ?? throw TranslationException.Missing(name);

    /// <summary><see cref="Str(ref Utf8JsonReader, string)"/> that returns the matching literal of
    /// <paramref name="known"/> (roles, block types) instead of allocating the same few strings again.</summary>
    public static string? Str(ref Utf8JsonReader r, string name, string[] known)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            foreach (var k in known)
            {
                if (r.ValueTextEquals(k))
                {
                    return k;
                }
            }
        }

        return Str(ref r, name);
    }

    public static bool? Bool(ref Utf8JsonReader r, string name) => r.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw TranslationException.Type(name, "a boolean"),
    };

    public static double? Double(ref Utf8JsonReader r, string name) => r.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => r.GetDouble(),
        _ => throw TranslationException.Type(name, "a number"),
    };

    public static long? Long(ref Utf8JsonReader r, string name)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (r.TokenType == JsonTokenType.Number)
        {
            if (r.TryGetInt64(out long l))
            {
                return l;
            }

            if (r.TryGetDouble(out double d) && d >= long.MinValue && d <= long.MaxValue)
            {
                return (long)d;
            }
        }

        // Gemini's proto-JSON encodes int64 counters as strings.
        if (r.TokenType == JsonTokenType.String && long.TryParse(r.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long s))
        {
            return s;
        }

        throw TranslationException.Type(name, "an integer");
    }

    public static int? Int(ref Utf8JsonReader r, string name)
    {
        long? l = Long(ref r, name);
        return l is null ? null : (int)Math.Clamp(l.Value, int.MinValue, int.MaxValue);
    }

    /// <summary>True on an array's start; false (value skipped) for null.</summary>
    public static bool Array(ref Utf8JsonReader r, string name) => r.TokenType switch
    {
        JsonTokenType.Null => false,
        JsonTokenType.StartArray => true,
        _ => throw TranslationException.Type(name, "an array"),
    };

    /// <summary>True on an object's start; false for null.</summary>
    public static bool Object(ref Utf8JsonReader r, string name) => r.TokenType switch
    {
        JsonTokenType.Null => false,
        JsonTokenType.StartObject => true,
        _ => throw TranslationException.Type(name, "an object"),
    };

    /// <summary>Where the current value lies in the reader's input (the value is skipped).</summary>
    public static Range Slice(ref Utf8JsonReader r)
    {
        int start = (int)r.TokenStartIndex;
        r.Skip();
        return start..(int)r.BytesConsumed;
    }

    /// <summary>The raw JSON text of an object-valued field (schemas): kept verbatim, as <see cref="RawObject(JsonElement, string)"/>.</summary>
    public static string RawObject(ref Utf8JsonReader r, ReadOnlySpan<byte> input, string path)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TranslationException.Type(path, "an object");
        }

        return System.Text.Encoding.UTF8.GetString(input[Slice(ref r)]);
    }

    /// <summary>A reader on the first token of a value found earlier with <see cref="Slice"/>.</summary>
    public static Utf8JsonReader At(ReadOnlySpan<byte> input, Range value)
    {
        var r = new Utf8JsonReader(input[value], ReaderOptions);
        r.Read();
        return r;
    }

    /// <summary>On a content part's member name: reads its <c>type</c> (one of <paramref name="types"/>), or its
    /// <c>text</c> once the type said "text" (the usual order) at once instead of coming back to the
    /// <paramref name="textSlice"/>, which it clears. False leaves the reader on any other member's name.</summary>
    public static bool TryReadPartHead(ref Utf8JsonReader r, string[] types, ref string? type, ref string? text, ref Range textSlice)
    {
        if (r.ValueTextEquals("type"u8))
        {
            r.Read();
            type = Str(ref r, "type", types);
            return true;
        }

        if (type is not "text" || !r.ValueTextEquals("text"u8))
        {
            return false;
        }

        r.Read();
        text = Str(ref r, "text");
        textSlice = default;
        return true;
    }

    /// <summary>The string at a value found earlier with <see cref="Slice"/> (null when there was none, or null).</summary>
    public static string? StrAt(ReadOnlySpan<byte> input, Range value, string name)
    {
        if (value.Equals(default(Range)))
        {
            return null;
        }

        var r = At(input, value);
        return Str(ref r, name);
    }

    /// <summary>A rare, small value (legacy fields, tool_choice, response_format) read with the element accessors: the
    /// reader already validated it, and this keeps one definition of its rules.</summary>
    public static JsonDocument ParseValue(ReadOnlyMemory<byte> body, Range value) => JsonDocument.Parse(body[value], Options);
}
