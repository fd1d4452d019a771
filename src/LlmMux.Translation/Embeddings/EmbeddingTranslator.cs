using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Embeddings;

/// <summary>The gateway-facing facade for embeddings: bodies read into an <see cref="EmbeddingRequest"/> or
/// <see cref="EmbeddingResponse"/> and written in any <see cref="EmbeddingFormat"/>. Only
/// <see cref="TranslationException"/> leaves it.</summary>
public static class EmbeddingTranslator
{
    private static readonly IEmbeddingCodec OpenAI = new OpenAIEmbeddings();
    private static readonly IEmbeddingCodec Gemini = new GeminiEmbeddings(batch: false);
    private static readonly IEmbeddingCodec GeminiBatch = new GeminiEmbeddings(batch: true);
    private static readonly IEmbeddingCodec Ollama = new OllamaEmbeddings(legacy: false);
    private static readonly IEmbeddingCodec OllamaLegacy = new OllamaEmbeddings(legacy: true);

    /// <param name="pathModel">The model a Gemini path named; it wins over the body's.</param>
    public static EmbeddingRequest DecodeRequest(ReadOnlyMemory<byte> body, EmbeddingFormat format, string? pathModel = null) =>
        Translator.Guard(() => Codec(format).ReadRequest(body.Span, pathModel));

    /// <summary>The request as <paramref name="format"/> takes it, naming <paramref name="model"/>.</summary>
    public static byte[] EncodeRequest(EmbeddingRequest request, EmbeddingFormat format, string model)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Translator.Guard(() => JsonWrite.ToBytes(w => Codec(format).WriteRequest(w, request with { Model = model })));
    }

    public static EmbeddingResponse DecodeResponse(ReadOnlyMemory<byte> body, EmbeddingFormat format) =>
        Translator.Guard(() => Codec(format).ReadResponse(body.Span));

    /// <summary>The answer as the client of <paramref name="request"/> reads it: its model name, one vector per input, and
    /// the encoding it asked for.</summary>
    public static byte[] EncodeResponse(EmbeddingResponse response, EmbeddingFormat format, EmbeddingRequest request)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(request);
        if (response.Vectors.Length != request.Inputs.Length)
        {
            throw new TranslationException(TranslationErrorKind.WrongType, $"the upstream answered {response.Vectors.Length} embeddings for {request.Inputs.Length} inputs");
        }

        return Translator.Guard(() => JsonWrite.ToBytes(w => Codec(format).WriteResponse(w, response, request)));
    }

    private static IEmbeddingCodec Codec(EmbeddingFormat format) => format switch
    {
        EmbeddingFormat.OpenAI => OpenAI,
        EmbeddingFormat.Gemini => Gemini,
        EmbeddingFormat.GeminiBatch => GeminiBatch,
        EmbeddingFormat.Ollama => Ollama,
        EmbeddingFormat.OllamaLegacy => OllamaLegacy,
        _ => throw new TranslationException(TranslationErrorKind.Unsupported, $"embedding format {format} is not supported"),
    };
}
