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

    /// <summary>Fields of a generate body Vertex's countTokens does not take ("Unknown name … Cannot find field").</summary>
    private static readonly System.Collections.Immutable.ImmutableArray<string> NotCounted = ["toolConfig", "safetySettings", "cachedContent", "labels"];

    protected override bool StreamsWithAltSse => true;

    /// <summary>Vertex's own counter: <c>countTokens</c> takes the generate body's contents, system instruction, tools and generation config.</summary>
    public override PathString? CountTokensPath(string model) => $"/publishers/google/models/{Uri.EscapeDataString(model)}:countTokens";

    public override bool CountsTokensForEveryDialect => true;

    public override RequestOverrides CountTokensOverrides(RequestOverrides request, UpstreamCredential? login) =>
        request with { Reasoning = null, RemoveFields = NotCounted };

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
