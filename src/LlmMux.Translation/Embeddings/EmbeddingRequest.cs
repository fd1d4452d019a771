using System.Collections.Immutable;

namespace LlmMux.Translation.Embeddings;

/// <summary>One thing to embed: a text, or (OpenAI only) text already split into token ids.</summary>
public sealed record EmbeddingInput(string? Text, ImmutableArray<int> Tokens = default)
{
    public static EmbeddingInput Of(string text) => new(text);
}

/// <summary>An embeddings call in any <see cref="EmbeddingFormat"/>: what each shape has in common, and the few
/// options one shape has that another can carry (OpenAI <c>dimensions</c> is Gemini's <c>outputDimensionality</c>).</summary>
/// <param name="Model">The model as the client named it (from the body, or Gemini's path).</param>
/// <param name="Inputs">In order; at least one.</param>
public sealed record EmbeddingRequest(string Model, ImmutableArray<EmbeddingInput> Inputs)
{
    /// <summary>Length of each vector, when the client asked for fewer than the model's own.</summary>
    public int? Dimensions { get; init; }

    /// <summary>OpenAI <c>encoding_format</c>: <c>float</c> (the default) or <c>base64</c> (what the OpenAI SDKs send).</summary>
    public string? EncodingFormat { get; init; }

    /// <summary>Gemini <c>taskType</c> (<c>RETRIEVAL_QUERY</c>, …).</summary>
    public string? TaskType { get; init; }

    /// <summary>Gemini <c>title</c> of a <c>RETRIEVAL_DOCUMENT</c>.</summary>
    public string? Title { get; init; }

    /// <summary>OpenAI <c>user</c>.</summary>
    public string? User { get; init; }

    /// <summary>Ollama <c>truncate</c>: cut inputs to the context length rather than fail.</summary>
    public bool? Truncate { get; init; }

    /// <summary>Ollama <c>keep_alive</c>, kept as its raw JSON value (a duration string or seconds).</summary>
    public string? KeepAliveJson { get; init; }

    /// <summary>Ollama <c>options</c>, kept as its raw JSON object.</summary>
    public string? OptionsJson { get; init; }
}

/// <summary>The vectors of an embeddings answer, one per input and in the inputs' order.</summary>
public sealed record EmbeddingResponse(ImmutableArray<float[]> Vectors, Ir.IrUsage? Usage = null, string? Model = null);
