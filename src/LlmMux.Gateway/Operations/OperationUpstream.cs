using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Routing;
using LlmMux.Translation;
using LlmMux.Translation.Embeddings;
using LlmMux.Translation.Images;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Operations;

/// <summary>One attempt's upstream request for an operation beyond chat: the provider's path, and the body in its
/// family's shape (the client's own bytes when the shapes match, with the model swapped if the upstream names it
/// otherwise).</summary>
internal static class OperationUpstream
{
    public static PathString Path(OperationRequest operation, UpstreamProtocol protocol, string model) =>
        protocol.OperationPath(operation.UpstreamKind, model)
            ?? throw new InvalidOperationException($"the provider serves no {operation.Name}; ingress should have left it out");

    /// <summary>The API family of an upstream's operation endpoints: its chat dialect's.</summary>
    public static ApiFamily FamilyOf(UpstreamProtocol protocol) => Dialects.Get(protocol.Dialect).Family;

    /// <summary>The shape an upstream's embeddings endpoint speaks (always its list form).</summary>
    public static EmbeddingFormat EmbeddingFormatOf(UpstreamProtocol protocol) => EmbeddingFormats.Of(FamilyOf(protocol), oneVector: false);

    /// <exception cref="TranslationException">The request cannot be put in this upstream's shape (token ids to Gemini).</exception>
    public static RequestBody Body(OperationRequest operation, LlmRequest request, RouteTarget target, Translator translator)
    {
        var protocol = target.Protocol;
        switch (operation.Kind)
        {
            case IngressKind.Embeddings or IngressKind.SingleEmbedding:
                var format = EmbeddingFormatOf(protocol);
                return format == operation.ClientEmbeddingFormat && format == EmbeddingFormat.OpenAI
                    ? SameShape(request, target, Dialect.OpenAIChat, translator)
                    : RequestBody.Unchanged(EmbeddingTranslator.EncodeRequest(operation.Embedding!, format, target.UpstreamModel));
            case IngressKind.ImageGeneration:
                return FamilyOf(protocol) == ApiFamily.OpenAI
                    ? SameShape(request, target, Dialect.OpenAIChat, translator)
                    : RequestBody.Unchanged(ImageTranslator.EncodeGeminiRequest(operation.Image!));
            default:
                return SameShape(request, target, Dialect.OpenAIResponses, translator);
        }
    }

    /// <summary>The client's bytes; only the top-level <c>model</c> is spliced when the upstream's name differs.</summary>
    private static RequestBody SameShape(LlmRequest request, RouteTarget target, Dialect dialect, Translator translator) =>
        target.UpstreamModel == request.Model
            ? RequestBody.Unchanged(request.Body)
            : translator.TranslateRequestBody(request.Body, dialect, dialect, new RequestOverrides { Model = target.UpstreamModel });
}
