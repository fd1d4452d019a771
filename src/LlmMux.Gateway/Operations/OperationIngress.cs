using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Routing;
using LlmMux.Translation;
using LlmMux.Translation.Embeddings;
using LlmMux.Translation.Images;

namespace LlmMux.Gateway.Operations;

/// <summary>
/// Ingress for the operations beyond chat: the model's chain narrowed to the providers whose upstream serves the
/// operation (the others are never tried, so never cooled), and the body decoded once.
/// </summary>
internal static class OperationIngress
{
    /// <param name="pathModel">The model a Gemini path named.</param>
    /// <returns>The operation and its narrowed route, or the error to answer in the caller's dialect.</returns>
    public static (OperationRequest? Operation, ModelRoute? Route, ApiError? Error) Prepare(
        IngressKind kind, Dialect dialect, ReadOnlyMemory<byte> body, string model, string? pathModel, ModelRoute route)
    {
        var operation = new OperationRequest(kind, Dialects.Get(dialect).Family);
        var served = route.Chain.Where(t => t.Protocol.OperationPath(operation.UpstreamKind, t.UpstreamModel) is not null).ToList();
        if (served.Count == 0)
        {
            return (null, null, NotServed(operation, model, route));
        }

        try
        {
            operation = kind switch
            {
                IngressKind.Embeddings or IngressKind.SingleEmbedding =>
                    operation with { Embedding = EmbeddingTranslator.DecodeRequest(body, operation.ClientEmbeddingFormat, pathModel) },
                IngressKind.ImageGeneration => operation with { Image = ImageTranslator.DecodeRequest(body) },
                _ => operation,
            };
        }
        catch (TranslationException ex)
        {
            return (null, null, ApiError.InvalidRequestBody($"The request is not a valid {operation.Name} request: {ex.Message}"));
        }

        return (operation, route with { Chain = served }, null);
    }

    /// <summary>A 400, not a 404: the model exists, it just cannot do this. No account is tried, so none cools.</summary>
    private static ApiError NotServed(OperationRequest operation, string model, ModelRoute route)
    {
        var providers = string.Join(", ", route.Chain.Select(t => $"'{t.Provider.Name}' ({t.Provider.Kind.Type})").Distinct());
        return new ApiError(400, "operation_not_supported",
            $"The model '{ApiError.Truncate(model)}' does not support {operation.Name}: it is served by {providers}, whose upstream has no {operation.Name}. "
            + $"Provider types that serve it: {string.Join(", ", ServingTypes(operation.UpstreamKind))}.");
    }

    private static IEnumerable<string> ServingTypes(IngressKind kind) =>
        ProviderTypes.All.Where(t => t.Protocol.OperationPath(kind, "model") is not null).Select(t => t.Type);
}
