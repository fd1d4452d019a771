using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Embeddings;

/// <summary>OpenAI <c>/v1/embeddings</c>, also what OpenAI-compatible servers (vLLM, Ollama's <c>/v1</c>, LiteLLM) serve.</summary>
internal sealed class OpenAIEmbeddings : IEmbeddingCodec
{
    public EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel)
    {
        var r = JsonRead.RootReader(body);
        string? model = pathModel;
        ImmutableArray<EmbeddingInput> inputs = default;
        int? dimensions = null;
        string? encoding = null, user = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8))
            {
                r.Read();
                model = JsonRead.Str(ref r, "model") ?? model;
            }
            else if (r.ValueTextEquals("input"u8))
            {
                r.Read();
                inputs = ReadInput(ref r);
            }
            else if (r.ValueTextEquals("dimensions"u8))
            {
                r.Read();
                dimensions = JsonRead.Int(ref r, "dimensions");
            }
            else if (r.ValueTextEquals("encoding_format"u8))
            {
                r.Read();
                encoding = JsonRead.Str(ref r, "encoding_format", ["float", "base64"]);
                if (encoding is not (null or "float" or "base64"))
                {
                    throw new TranslationException(TranslationErrorKind.WrongType, "'encoding_format' must be 'float' or 'base64'");
                }
            }
            else if (r.ValueTextEquals("user"u8))
            {
                r.Read();
                user = JsonRead.Str(ref r, "user");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        if (inputs.IsDefault)
        {
            throw TranslationException.Missing("input");
        }

        return new EmbeddingRequest(model ?? throw TranslationException.Missing("model"), inputs)
        {
            Dimensions = dimensions is <= 0 ? throw new TranslationException(TranslationErrorKind.WrongType, "'dimensions' must be a positive integer") : dimensions,
            EncodingFormat = encoding,
            User = user,
        };
    }

    /// <summary><c>input</c>: a string, an array of strings, an array of token ids, or an array of such arrays.</summary>
    private static ImmutableArray<EmbeddingInput> ReadInput(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            return [EmbeddingInput.Of(EmbeddingJson.NonEmpty(r.GetString(), "input"))];
        }

        if (!JsonRead.Array(ref r, "input"))
        {
            throw TranslationException.Missing("input");
        }

        var inputs = ImmutableArray.CreateBuilder<EmbeddingInput>();
        ImmutableArray<int>.Builder? tokens = null;
        var first = JsonTokenType.None;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            // One kind throughout: strings, token ids, or token-id arrays, never a mixture.
            first = first == JsonTokenType.None ? r.TokenType : first;
            switch (r.TokenType)
            {
                case JsonTokenType.String when first == JsonTokenType.String:
                    inputs.Add(EmbeddingInput.Of(EmbeddingJson.NonEmpty(r.GetString(), "input[]")));
                    break;
                case JsonTokenType.Number when first == JsonTokenType.Number:
                    (tokens ??= ImmutableArray.CreateBuilder<int>()).Add(r.GetInt32());
                    break;
                case JsonTokenType.StartArray when first == JsonTokenType.StartArray:
                    inputs.Add(new EmbeddingInput(null, ReadTokens(ref r)));
                    break;
                default:
                    throw TranslationException.Type("input", "a string, an array of strings, an array of token ids or an array of token-id arrays");
            }
        }

        return tokens is null ? EmbeddingJson.AtLeastOne(inputs.ToImmutable(), "input") : [new EmbeddingInput(null, tokens.ToImmutable())];
    }

    private static ImmutableArray<int> ReadTokens(ref Utf8JsonReader r)
    {
        var tokens = ImmutableArray.CreateBuilder<int>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            tokens.Add(r.TokenType == JsonTokenType.Number ? r.GetInt32() : throw TranslationException.Type("input[][]", "a token id"));
        }

        return tokens.Count > 0 ? tokens.ToImmutable() : throw new TranslationException(TranslationErrorKind.MissingField, "'input[]' must not be empty");
    }

    public void WriteRequest(Utf8JsonWriter w, EmbeddingRequest request)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, request.Model);
        // Always a list: every server takes one, and some (GitHub Copilot's) refuse a bare string.
        w.WriteStartArray("input"u8);
        foreach (var input in request.Inputs)
        {
            if (input.Text is { } text)
            {
                w.WriteStringValue(text);
            }
            else
            {
                w.WriteStartArray();
                foreach (var token in input.Tokens)
                {
                    w.WriteNumberValue(token);
                }

                w.WriteEndArray();
            }
        }

        w.WriteEndArray();

        // Vectors come back as numbers, whatever the client wants: llm-mux re-encodes them for it.
        w.WriteString("encoding_format"u8, "float"u8);
        JsonWrite.NumberIf(w, "dimensions", request.Dimensions);
        JsonWrite.StringIf(w, "user", request.User);
        w.WriteEndObject();
    }

    public EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        var r = JsonRead.RootReader(body);
        var vectors = new SortedList<int, float[]>();
        IrUsage? usage = null;
        string? model = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("data"u8))
            {
                r.Read();
                if (JsonRead.Array(ref r, "data"))
                {
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        var (index, vector) = ReadDatum(ref r, vectors.Count);
                        vectors[index] = vector;
                    }
                }
            }
            else if (r.ValueTextEquals("usage"u8))
            {
                r.Read();
                usage = EmbeddingJson.ReadInputTokens(ref r, "usage", "prompt_tokens"u8);
            }
            else if (r.ValueTextEquals("model"u8))
            {
                r.Read();
                model = JsonRead.Str(ref r, "model");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        return new EmbeddingResponse([.. vectors.Values], usage, model);
    }

    private static (int Index, float[] Vector) ReadDatum(ref Utf8JsonReader r, int position)
    {
        if (!JsonRead.Object(ref r, "data[]"))
        {
            throw TranslationException.Type("data[]", "an object");
        }

        int index = position;
        float[]? vector = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("index"u8))
            {
                r.Read();
                index = JsonRead.Int(ref r, "data[].index") ?? position;
            }
            else if (r.ValueTextEquals("embedding"u8))
            {
                r.Read();
                vector = EmbeddingJson.ReadVector(ref r, "data[].embedding");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return (index, vector ?? throw TranslationException.Missing("data[].embedding"));
    }

    public void WriteResponse(Utf8JsonWriter w, EmbeddingResponse response, EmbeddingRequest request)
    {
        var base64 = request.EncodingFormat == "base64";
        w.WriteStartObject();
        w.WriteString("object"u8, "list"u8);
        w.WriteStartArray("data"u8);
        for (var i = 0; i < response.Vectors.Length; i++)
        {
            w.WriteStartObject();
            w.WriteString("object"u8, "embedding"u8);
            w.WriteNumber("index"u8, i);
            w.WritePropertyName("embedding"u8);
            if (base64)
            {
                EmbeddingJson.WriteBase64Vector(w, response.Vectors[i]);
            }
            else
            {
                EmbeddingJson.WriteVector(w, response.Vectors[i]);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("model"u8, request.Model);
        var tokens = response.Usage?.InputTokens ?? 0;
        w.WriteStartObject("usage"u8);
        w.WriteNumber("prompt_tokens"u8, tokens);
        w.WriteNumber("total_tokens"u8, tokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
