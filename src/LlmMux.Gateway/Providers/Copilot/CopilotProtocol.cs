using System.Net.Http.Headers;
using LlmMux.Accounts.Providers.Copilot;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Copilot;

/// <summary>GitHub Copilot: OpenAI Chat with the short-lived Copilot token and the editor headers it requires.</summary>
internal sealed class CopilotProtocol : UpstreamProtocol
{
    public static readonly CopilotProtocol Instance = new();

    public override Dialect Dialect => Dialect.OpenAIChat;

    public override PathString GeneratePath(string model, bool stream) => "/chat/completions";

    /// <summary>Copilot serves OpenAI-shaped embeddings (text-embedding-3-small) next to chat.</summary>
    public override PathString? OperationPath(IngressKind operation, string model) => operation == IngressKind.Embeddings ? new PathString("/embeddings") : (PathString?)null;

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        SetBearerAs(headers, login?.AccessToken ?? apiKey, CopilotIdentity.Headers);
        headers.TryAddWithoutValidation("Openai-Intent", "conversation-panel");
        headers.TryAddWithoutValidation("Copilot-Integration-Id", "vscode-chat");
        headers.TryAddWithoutValidation("X-Request-Id", Guid.NewGuid().ToString());
    }
}
