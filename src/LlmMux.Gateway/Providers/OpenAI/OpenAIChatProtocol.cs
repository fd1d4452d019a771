using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.OpenAI;

/// <summary>OpenAI-compatible Chat Completions (<c>base-url</c> ends in <c>/v1</c>), key as a Bearer token.</summary>
internal sealed class OpenAIChatProtocol : UpstreamProtocol
{
    public static readonly OpenAIChatProtocol Instance = new();

    public override Dialect Dialect => Dialect.OpenAIChat;

    public override IReadOnlyList<string> PassThroughHeaders { get; } = ["OpenAI-Beta"];

    public override PathString GeneratePath(string model, bool stream) => "/chat/completions";

    public override PathString? OperationPath(IngressKind operation, string model) => operation switch
    {
        IngressKind.Embeddings => new PathString("/embeddings"),
        IngressKind.ImageGeneration => "/images/generations",
        IngressKind.Compaction => "/responses/compact",
        _ => (PathString?)null,
    };

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        if ((apiKey ?? login?.AccessToken) is { } token)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }
}
