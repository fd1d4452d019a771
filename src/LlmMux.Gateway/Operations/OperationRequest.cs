using LlmMux.Translation;
using LlmMux.Translation.Embeddings;
using LlmMux.Translation.Images;

namespace LlmMux.Gateway.Operations;

/// <summary>
/// What an <see cref="Ingress.LlmRequest"/> asks for when it is not a chat: embeddings, an image, a compaction. Read
/// once at ingress (a malformed body is the client's 400 before any upstream is called) and kept for every attempt,
/// which builds its upstream body from it in that upstream's shape.
/// </summary>
/// <param name="Kind">The route's kind (<see cref="IngressKind.SingleEmbedding"/> for a one-vector route).</param>
/// <param name="ClientFamily">The API family of the caller's route: the shape of its body and its answer.</param>
internal sealed record OperationRequest(IngressKind Kind, ApiFamily ClientFamily)
{
    /// <summary>The decoded embeddings call.</summary>
    public EmbeddingRequest? Embedding { get; init; }

    /// <summary>The decoded image call.</summary>
    public ImageRequest? Image { get; init; }

    /// <summary>The operation as an upstream is asked for it: every upstream's embeddings endpoint takes a list.</summary>
    public IngressKind UpstreamKind => Kind == IngressKind.SingleEmbedding ? IngressKind.Embeddings : Kind;

    /// <summary>The caller's embeddings shape.</summary>
    public EmbeddingFormat ClientEmbeddingFormat => EmbeddingFormats.Of(ClientFamily, Kind == IngressKind.SingleEmbedding);

    public static bool Covers(IngressKind kind) =>
        kind is IngressKind.Embeddings or IngressKind.SingleEmbedding or IngressKind.ImageGeneration or IngressKind.Compaction;

    /// <summary>What the operation is called in an error message.</summary>
    public string Name => Kind switch
    {
        IngressKind.ImageGeneration => "image generation",
        IngressKind.Compaction => "/responses/compact",
        _ => "embeddings",
    };
}
