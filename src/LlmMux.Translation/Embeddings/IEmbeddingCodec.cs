using System.Text.Json;

namespace LlmMux.Translation.Embeddings;

/// <summary>One <see cref="EmbeddingFormat"/>, both ways: requests and answers read from bytes and written to a writer.</summary>
internal interface IEmbeddingCodec
{
    /// <param name="pathModel">The model the path named (Gemini), used when the body names none.</param>
    EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel);

    void WriteRequest(Utf8JsonWriter w, EmbeddingRequest request);

    EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body);

    /// <param name="request">The client's request: its model name and the encoding it asked for.</param>
    void WriteResponse(Utf8JsonWriter w, EmbeddingResponse response, EmbeddingRequest request);
}
