using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Embeddings;

/// <summary>Reading and writing what the embedding shapes share: vectors, input lists and Gemini's text content.</summary>
internal static class EmbeddingJson
{
    /// <summary>A vector: a JSON array of numbers, or (OpenAI's <c>base64</c> encoding) little-endian float32s in base64.</summary>
    public static float[] ReadVector(ref Utf8JsonReader r, string name)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            var bytes = r.GetBytesFromBase64();
            if (bytes.Length % sizeof(float) != 0)
            {
                throw TranslationException.Type(name, "base64 of float32 values");
            }

            var fromBase64 = new float[bytes.Length / sizeof(float)];
            for (var i = 0; i < fromBase64.Length; i++)
            {
                fromBase64[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
            }

            return fromBase64;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw TranslationException.Type(name, "an array of numbers");
        }

        var values = new List<float>(1024);
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            values.Add(r.TokenType == JsonTokenType.Number ? r.GetSingle() : throw TranslationException.Type(name, "an array of numbers"));
        }

        return [.. values];
    }

    public static void WriteVector(Utf8JsonWriter w, float[] vector)
    {
        w.WriteStartArray();
        foreach (var v in vector)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>OpenAI's <c>base64</c> encoding: the float32 values, little-endian, as one base64 string.</summary>
    public static void WriteBase64Vector(Utf8JsonWriter w, float[] vector)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(vector.AsSpan());
        if (!BitConverter.IsLittleEndian)
        {
            var copy = new byte[bytes.Length];
            for (var i = 0; i < vector.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(i * sizeof(float)), vector[i]);
            }

            bytes = copy;
        }

        w.WriteBase64StringValue(bytes);
    }

    /// <summary>A string or an array of strings (Ollama <c>input</c>), at least one, none empty.</summary>
    public static ImmutableArray<EmbeddingInput> ReadTexts(ref Utf8JsonReader r, string name)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            return [EmbeddingInput.Of(NonEmpty(JsonRead.Str(ref r, name), name))];
        }

        if (!JsonRead.Array(ref r, name))
        {
            throw TranslationException.Missing(name);
        }

        var inputs = ImmutableArray.CreateBuilder<EmbeddingInput>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            inputs.Add(EmbeddingInput.Of(NonEmpty(JsonRead.Str(ref r, name + "[]"), name + "[]")));
        }

        return AtLeastOne(inputs.ToImmutable(), name);
    }

    public static ImmutableArray<EmbeddingInput> AtLeastOne(ImmutableArray<EmbeddingInput> inputs, string name) =>
        inputs.Length > 0 ? inputs : throw new TranslationException(TranslationErrorKind.MissingField, $"'{name}' must not be empty");

    public static string NonEmpty(string? text, string name) =>
        string.IsNullOrEmpty(text) ? throw new TranslationException(TranslationErrorKind.MissingField, $"'{name}' must be a non-empty string") : text;

    /// <summary>The text of one input, for a shape that takes no token ids.</summary>
    public static string TextOf(EmbeddingInput input, string shape) =>
        input.Text ?? throw new TranslationException(TranslationErrorKind.Unsupported, $"token-id inputs cannot be sent as {shape}, which takes text only");

    /// <summary>Gemini <c>content</c>: the text of its parts, joined. Other parts (images) cannot be embedded through another shape.</summary>
    public static string ReadGeminiContent(ref Utf8JsonReader r, string name)
    {
        if (!JsonRead.Object(ref r, name))
        {
            throw TranslationException.Missing(name);
        }

        string? text = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isParts = r.ValueTextEquals("parts"u8);
            r.Read();
            if (!isParts || !JsonRead.Array(ref r, name + ".parts"))
            {
                r.Skip();
                continue;
            }

            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                var part = ReadGeminiTextPart(ref r, name + ".parts[]");
                text = text is null ? part : text + "\n" + part;
            }
        }

        return NonEmpty(text, name + ".parts[].text");
    }

    private static string ReadGeminiTextPart(ref Utf8JsonReader r, string name)
    {
        if (!JsonRead.Object(ref r, name))
        {
            throw TranslationException.Type(name, "an object");
        }

        string? text = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("text"u8))
            {
                r.Read();
                text = JsonRead.Str(ref r, name + ".text");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return text ?? throw new TranslationException(TranslationErrorKind.Unsupported, $"'{name}' has no text: only text parts can be embedded");
    }

    public static void WriteGeminiContent(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject("content"u8);
        w.WriteStartArray("parts"u8);
        w.WriteStartObject();
        w.WriteString("text"u8, text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Gemini names models <c>models/{id}</c>; the other shapes and llm-mux's routing use the bare id.</summary>
    public static string BareModel(string model) => model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;

    /// <summary>An embeddings answer's input-token count: one number of its usage object (<paramref name="name"/>), or
    /// null when the object is null.</summary>
    public static Ir.IrUsage? ReadInputTokens(ref Utf8JsonReader r, string name, ReadOnlySpan<byte> field)
    {
        if (!JsonRead.Object(ref r, name))
        {
            return null;
        }

        long input = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isCount = r.ValueTextEquals(field);
            r.Read();
            if (isCount)
            {
                input = JsonRead.Long(ref r, name) ?? 0;
            }
            else
            {
                r.Skip();
            }
        }

        return new Ir.IrUsage(input, 0);
    }

    public static string RawValue(ref Utf8JsonReader r, ReadOnlySpan<byte> body) => System.Text.Encoding.UTF8.GetString(body[JsonRead.Slice(ref r)]);
}
