namespace LlmMux.Translation.Embeddings;

/// <summary>The wire shapes of an embeddings call. A list form takes many inputs and answers many vectors; the single
/// forms one of each.</summary>
public enum EmbeddingFormat
{
    /// <summary>OpenAI <c>POST /v1/embeddings</c>: <c>input</c> a string, strings or token arrays; <c>data[].embedding</c>.</summary>
    OpenAI,

    /// <summary>Gemini <c>:embedContent</c>: one <c>content</c>; <c>embedding.values</c>.</summary>
    Gemini,

    /// <summary>Gemini <c>:batchEmbedContents</c>: <c>requests[]</c>; <c>embeddings[].values</c>.</summary>
    GeminiBatch,

    /// <summary>Ollama <c>/api/embed</c>: <c>input</c> a string or strings; <c>embeddings[][]</c>.</summary>
    Ollama,

    /// <summary>Ollama's older <c>/api/embeddings</c>: one <c>prompt</c>; one <c>embedding[]</c>.</summary>
    OllamaLegacy,
}

/// <summary>Which <see cref="EmbeddingFormat"/> a route of a dialect family speaks.</summary>
public static class EmbeddingFormats
{
    /// <param name="family">The family of the route's dialect (or of an upstream's).</param>
    /// <param name="oneVector">The route takes one input and answers one vector (<see cref="IngressKind.SingleEmbedding"/>).</param>
    public static EmbeddingFormat Of(ApiFamily family, bool oneVector) => family switch
    {
        ApiFamily.Gemini => oneVector ? EmbeddingFormat.Gemini : EmbeddingFormat.GeminiBatch,
        ApiFamily.Ollama => oneVector ? EmbeddingFormat.OllamaLegacy : EmbeddingFormat.Ollama,
        ApiFamily.OpenAI => EmbeddingFormat.OpenAI,
        _ => throw new TranslationException(TranslationErrorKind.Unsupported, $"the {family} API has no embeddings"),
    };
}
