namespace LlmMux.Translation;

/// <summary>How an inbound endpoint names its model and what it asks for.</summary>
public enum IngressKind
{
    /// <summary>Model and stream flag in the JSON body (OpenAI, Anthropic, Ollama).</summary>
    Generate,

    /// <summary>Gemini: <c>models/{model}:{action}</c> in the path; the action decides streaming or token counting.</summary>
    GeminiModelAction,

    /// <summary>Anthropic <c>count_tokens</c>: model in the body, answered with a token count.</summary>
    CountTokens,

    /// <summary>Gemini Code Assist (<c>/v1internal:streamGenerateContent</c>): model in the body, streaming from the path.</summary>
    StreamingGenerate,

    /// <summary>Embeddings, many inputs to many vectors (OpenAI <c>/v1/embeddings</c>, Ollama <c>/api/embed</c>, Gemini
    /// <c>:batchEmbedContents</c>); model in the body or Gemini's path. Also what an upstream's embeddings path serves.</summary>
    Embeddings,

    /// <summary>Embeddings, one input to one vector (Ollama <c>/api/embeddings</c>, Gemini <c>:embedContent</c>).</summary>
    SingleEmbedding,

    /// <summary>Image generation (OpenAI <c>/v1/images/generations</c>): model in the body.</summary>
    ImageGeneration,

    /// <summary>Responses compaction (<c>/v1/responses/compact</c>): model in the body, passed through to upstreams that have it.</summary>
    Compaction,
}
