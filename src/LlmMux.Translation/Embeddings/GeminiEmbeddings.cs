using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Embeddings;

/// <summary>Gemini <c>:embedContent</c>, or with <paramref name="batch"/> <c>:batchEmbedContents</c>, whose
/// <c>requests[]</c> are embedContent bodies that each name the path's model.</summary>
internal sealed class GeminiEmbeddings(bool batch) : IEmbeddingCodec
{
    public EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel)
    {
        var r = JsonRead.RootReader(body);
        Item? single = null;
        ImmutableArray<Item>.Builder? items = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (batch && r.ValueTextEquals("requests"u8))
            {
                r.Read();
                if (JsonRead.Array(ref r, "requests"))
                {
                    items = ImmutableArray.CreateBuilder<Item>();
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        items.Add(ReadItem(ref r, "requests[]"));
                    }
                }
            }
            else if (!batch && r.ValueTextEquals("content"u8))
            {
                r.Read();
                single = (single ?? new Item()) with { Text = EmbeddingJson.ReadGeminiContent(ref r, "content") };
            }
            else if (!batch && TryReadOption(ref r, single ?? new Item(), "", out var updated))
            {
                single = updated;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        var all = batch ? items?.ToImmutable() ?? throw TranslationException.Missing("requests") : [single ?? new Item()];
        var inputs = EmbeddingJson.AtLeastOne([.. all.Select(i => EmbeddingInput.Of(i.Text ?? throw TranslationException.Missing(batch ? "requests[].content" : "content")))], batch ? "requests" : "content");
        var first = all[0];
        var model = pathModel ?? first.Model ?? throw TranslationException.Missing("model");
        return new EmbeddingRequest(EmbeddingJson.BareModel(model), inputs)
        {
            Dimensions = first.Dimensions,
            TaskType = first.TaskType,
            Title = first.Title,
        };
    }

    private static Item ReadItem(ref Utf8JsonReader r, string name)
    {
        if (!JsonRead.Object(ref r, name))
        {
            throw TranslationException.Type(name, "an object");
        }

        var item = new Item();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("content"u8))
            {
                r.Read();
                item = item with { Text = EmbeddingJson.ReadGeminiContent(ref r, name + ".content") };
            }
            else if (!TryReadOption(ref r, item, name + ".", out item))
            {
                r.Read();
                r.Skip();
            }
        }

        return item;
    }

    /// <summary>On a property name: reads it when it is one of the per-request options, leaving the reader on its value.</summary>
    private static bool TryReadOption(ref Utf8JsonReader r, Item item, string prefix, out Item updated)
    {
        updated = item;
        if (r.ValueTextEquals("model"u8))
        {
            r.Read();
            updated = item with { Model = JsonRead.Str(ref r, prefix + "model") };
        }
        else if (r.ValueTextEquals("taskType"u8) || r.ValueTextEquals("task_type"u8))
        {
            r.Read();
            updated = item with { TaskType = JsonRead.Str(ref r, prefix + "taskType") };
        }
        else if (r.ValueTextEquals("title"u8))
        {
            r.Read();
            updated = item with { Title = JsonRead.Str(ref r, prefix + "title") };
        }
        else if (r.ValueTextEquals("outputDimensionality"u8) || r.ValueTextEquals("output_dimensionality"u8))
        {
            r.Read();
            updated = item with { Dimensions = JsonRead.Int(ref r, prefix + "outputDimensionality") };
        }
        else
        {
            return false;
        }

        return true;
    }

    public void WriteRequest(Utf8JsonWriter w, EmbeddingRequest request)
    {
        w.WriteStartObject();
        if (batch)
        {
            w.WriteStartArray("requests"u8);
            foreach (var input in request.Inputs)
            {
                w.WriteStartObject();
                // The API refuses a request whose model is not the path's.
                w.WriteString("model"u8, "models/" + request.Model);
                WriteItem(w, request, input);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteString("model"u8, "models/" + request.Model);
            WriteItem(w, request, request.Inputs.Length == 1 ? request.Inputs[0]
                : throw new TranslationException(TranslationErrorKind.Unsupported, "embedContent takes one input; use batchEmbedContents"));
        }

        w.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter w, EmbeddingRequest request, EmbeddingInput input)
    {
        EmbeddingJson.WriteGeminiContent(w, EmbeddingJson.TextOf(input, "Gemini content"));
        JsonWrite.StringIf(w, "taskType", request.TaskType);
        JsonWrite.StringIf(w, "title", request.Title);
        JsonWrite.NumberIf(w, "outputDimensionality", request.Dimensions);
    }

    public EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        var r = JsonRead.RootReader(body);
        var vectors = ImmutableArray.CreateBuilder<float[]>();
        IrUsage? usage = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (batch && r.ValueTextEquals("embeddings"u8))
            {
                r.Read();
                if (JsonRead.Array(ref r, "embeddings"))
                {
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        vectors.Add(ReadEmbedding(ref r, "embeddings[]"));
                    }
                }
            }
            else if (!batch && r.ValueTextEquals("embedding"u8))
            {
                r.Read();
                vectors.Add(ReadEmbedding(ref r, "embedding"));
            }
            else if (r.ValueTextEquals("usageMetadata"u8))
            {
                r.Read();
                // Newer models report the prompt's tokens; older ones report nothing.
                usage = EmbeddingJson.ReadInputTokens(ref r, "usageMetadata", "promptTokenCount"u8);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        return new EmbeddingResponse(vectors.ToImmutable(), usage);
    }

    private static float[] ReadEmbedding(ref Utf8JsonReader r, string name)
    {
        if (!JsonRead.Object(ref r, name))
        {
            throw TranslationException.Type(name, "an object");
        }

        float[]? values = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isValues = r.ValueTextEquals("values"u8);
            r.Read();
            if (isValues)
            {
                values = EmbeddingJson.ReadVector(ref r, name + ".values");
            }
            else
            {
                r.Skip();
            }
        }

        return values ?? throw TranslationException.Missing(name + ".values");
    }

    public void WriteResponse(Utf8JsonWriter w, EmbeddingResponse response, EmbeddingRequest request)
    {
        w.WriteStartObject();
        if (batch)
        {
            w.WriteStartArray("embeddings"u8);
            foreach (var vector in response.Vectors)
            {
                WriteEmbedding(w, vector);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WritePropertyName("embedding"u8);
            WriteEmbedding(w, response.Vectors.Length == 1 ? response.Vectors[0]
                : throw new TranslationException(TranslationErrorKind.WrongType, $"expected one embedding, the upstream answered {response.Vectors.Length}"));
        }

        w.WriteEndObject();
    }

    private static void WriteEmbedding(Utf8JsonWriter w, float[] vector)
    {
        w.WriteStartObject();
        w.WritePropertyName("values"u8);
        EmbeddingJson.WriteVector(w, vector);
        w.WriteEndObject();
    }

    private sealed record Item(string? Model = null, string? Text = null, string? TaskType = null, string? Title = null, int? Dimensions = null);
}
