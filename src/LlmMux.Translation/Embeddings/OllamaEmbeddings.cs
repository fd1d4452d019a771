using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Embeddings;

/// <summary>Ollama <c>/api/embed</c> (<c>input</c> → <c>embeddings[][]</c>), or with <paramref name="legacy"/> the
/// older <c>/api/embeddings</c> (<c>prompt</c> → <c>embedding[]</c>).</summary>
internal sealed class OllamaEmbeddings(bool legacy) : IEmbeddingCodec
{
    public EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel)
    {
        var r = JsonRead.RootReader(body);
        string? model = pathModel;
        ImmutableArray<EmbeddingInput> inputs = default;
        int? dimensions = null;
        bool? truncate = null;
        string? keepAlive = null, options = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8))
            {
                r.Read();
                model = JsonRead.Str(ref r, "model") ?? model;
            }
            else if (!legacy && r.ValueTextEquals("input"u8))
            {
                r.Read();
                inputs = EmbeddingJson.ReadTexts(ref r, "input");
            }
            else if (legacy && r.ValueTextEquals("prompt"u8))
            {
                r.Read();
                inputs = [EmbeddingInput.Of(EmbeddingJson.NonEmpty(JsonRead.Str(ref r, "prompt"), "prompt"))];
            }
            else if (r.ValueTextEquals("dimensions"u8))
            {
                r.Read();
                dimensions = JsonRead.Int(ref r, "dimensions");
            }
            else if (r.ValueTextEquals("truncate"u8))
            {
                r.Read();
                truncate = JsonRead.Bool(ref r, "truncate");
            }
            else if (r.ValueTextEquals("keep_alive"u8))
            {
                r.Read();
                keepAlive = r.TokenType == JsonTokenType.Null ? null : EmbeddingJson.RawValue(ref r, body);
            }
            else if (r.ValueTextEquals("options"u8))
            {
                r.Read();
                options = JsonRead.Object(ref r, "options") ? EmbeddingJson.RawValue(ref r, body) : null;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        return new EmbeddingRequest(model ?? throw TranslationException.Missing("model"), inputs.IsDefault ? throw TranslationException.Missing(legacy ? "prompt" : "input") : inputs)
        {
            Dimensions = dimensions,
            Truncate = truncate,
            KeepAliveJson = keepAlive,
            OptionsJson = options,
        };
    }

    public void WriteRequest(Utf8JsonWriter w, EmbeddingRequest request)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, request.Model);
        if (legacy)
        {
            w.WriteString("prompt"u8, EmbeddingJson.TextOf(request.Inputs.Length == 1 ? request.Inputs[0]
                : throw new TranslationException(TranslationErrorKind.Unsupported, "/api/embeddings takes one prompt; use /api/embed"), "an Ollama prompt"));
        }
        else
        {
            w.WriteStartArray("input"u8);
            foreach (var input in request.Inputs)
            {
                w.WriteStringValue(EmbeddingJson.TextOf(input, "Ollama input"));
            }

            w.WriteEndArray();
            JsonWrite.NumberIf(w, "dimensions", request.Dimensions);
            if (request.Truncate is { } truncate)
            {
                w.WriteBoolean("truncate"u8, truncate);
            }
        }

        if (request.KeepAliveJson is { } keepAlive)
        {
            w.WritePropertyName("keep_alive"u8);
            w.WriteRawValue(keepAlive);
        }

        if (request.OptionsJson is { } options)
        {
            w.WritePropertyName("options"u8);
            w.WriteRawValue(options);
        }

        w.WriteEndObject();
    }

    public EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        var r = JsonRead.RootReader(body);
        var vectors = ImmutableArray.CreateBuilder<float[]>();
        long? promptTokens = null;
        string? model = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (!legacy && r.ValueTextEquals("embeddings"u8))
            {
                r.Read();
                if (JsonRead.Array(ref r, "embeddings"))
                {
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        vectors.Add(EmbeddingJson.ReadVector(ref r, "embeddings[]"));
                    }
                }
            }
            else if (legacy && r.ValueTextEquals("embedding"u8))
            {
                r.Read();
                vectors.Add(EmbeddingJson.ReadVector(ref r, "embedding"));
            }
            else if (r.ValueTextEquals("prompt_eval_count"u8))
            {
                r.Read();
                promptTokens = JsonRead.Long(ref r, "prompt_eval_count");
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
        return new EmbeddingResponse(vectors.ToImmutable(), promptTokens is { } n ? new IrUsage(n, 0) : null, model);
    }

    public void WriteResponse(Utf8JsonWriter w, EmbeddingResponse response, EmbeddingRequest request)
    {
        w.WriteStartObject();
        if (legacy)
        {
            w.WritePropertyName("embedding"u8);
            EmbeddingJson.WriteVector(w, response.Vectors.Length == 1 ? response.Vectors[0]
                : throw new TranslationException(TranslationErrorKind.WrongType, $"expected one embedding, the upstream answered {response.Vectors.Length}"));
        }
        else
        {
            w.WriteString("model"u8, request.Model);
            w.WriteStartArray("embeddings"u8);
            foreach (var vector in response.Vectors)
            {
                EmbeddingJson.WriteVector(w, vector);
            }

            w.WriteEndArray();
            w.WriteNumber("total_duration"u8, 0);
            w.WriteNumber("load_duration"u8, 0);
            w.WriteNumber("prompt_eval_count"u8, response.Usage?.InputTokens ?? 0);
        }

        w.WriteEndObject();
    }
}
