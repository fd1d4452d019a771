using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Vertex;

/// <summary>
/// Gemini models on Vertex AI: <c>publishers/google/models/{model}:generateContent</c> (<c>:streamGenerateContent?alt=sse</c>),
/// under the project-and-location prefix <see cref="VertexProviderType.BaseUrlFor(UpstreamCredential?, ProviderDefinition)"/>
/// builds, with the service account's access token as a Bearer.
/// </summary>
internal sealed class VertexGeminiProtocol : UpstreamProtocol
{
    public static readonly VertexGeminiProtocol Instance = new();

    public override Dialect Dialect => Dialect.Gemini;

    public override bool ModelInBody => false;

    public override PathString GeneratePath(string model, bool stream)
        => $"/publishers/google/models/{Uri.EscapeDataString(model)}:{(stream ? "streamGenerateContent" : "generateContent")}";

    protected override bool StreamsWithAltSse => true;

    /// <summary>The login's token as a Bearer, or an express-mode key as <c>x-goog-api-key</c>.</summary>
    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        VertexProviderType.SetBearer(headers, login);
        headers.Remove("x-goog-api-key");
        if (login is null && apiKey is not null)
        {
            headers.TryAddWithoutValidation("x-goog-api-key", apiKey);
        }
    }
}
