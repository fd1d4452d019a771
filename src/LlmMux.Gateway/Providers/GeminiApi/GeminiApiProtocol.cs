using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.GeminiApi;

/// <summary>Gemini API with a key: model in the path, <c>alt=sse</c> for streams, key as <c>x-goog-api-key</c>.</summary>
internal sealed class GeminiApiProtocol : UpstreamProtocol
{
    public static readonly GeminiApiProtocol Instance = new();

    public override Dialect Dialect => Dialect.Gemini;

    public override bool ModelInBody => false;

    public override PathString GeneratePath(string model, bool stream)
        => $"/v1beta/models/{Uri.EscapeDataString(model)}:{(stream ? "streamGenerateContent" : "generateContent")}";

    public override PathString? CountTokensPath(string model) => $"/v1beta/models/{Uri.EscapeDataString(model)}:countTokens";

    /// <summary>Embeddings always as a batch (a single embedContent is a batch of one); images from the image models'
    /// generateContent.</summary>
    public override PathString? OperationPath(IngressKind operation, string model) => operation switch
    {
        IngressKind.Embeddings => new PathString($"/v1beta/models/{Uri.EscapeDataString(model)}:batchEmbedContents"),
        IngressKind.ImageGeneration => GeneratePath(model, stream: false),
        _ => (PathString?)null,
    };

    protected override bool StreamsWithAltSse => true;

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        if (apiKey is not null)
        {
            headers.Remove("x-goog-api-key");
            headers.TryAddWithoutValidation("x-goog-api-key", apiKey);
        }
    }
}
