using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.Extensions.Primitives;

using LlmMux.Gateway.Providers.Anthropic;

namespace LlmMux.Gateway.Providers.Claude;

/// <summary>
/// Claude Pro/Max through its OAuth token: Anthropic Messages with <c>?beta=true</c>, the OAuth beta, and the Claude
/// Code identity as the first system block. The caller's own system prompt is kept after it, never dropped.
/// </summary>
internal sealed class ClaudeOAuthProtocol : AnthropicProtocol
{
    public new static readonly ClaudeOAuthProtocol Instance = new();

    public const string Identity = "You are Claude Code, Anthropic's official CLI for Claude.";

    internal const string RequiredBeta = "oauth-2025-04-20";
    private const string DefaultBetas = "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14";

    public override void SetQuery(IDictionary<string, StringValues> query, bool stream) => query["beta"] = "true";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        base.SetCredential(headers, null, login);
        headers.Remove("x-api-key");
        headers.Authorization = new AuthenticationHeaderValue("Bearer", login?.AccessToken ?? apiKey);
        var betas = headers.TryGetValues("anthropic-beta", out var given) ? string.Join(',', given) : DefaultBetas;
        if (!betas.Split(',').Any(b => b.Trim() == RequiredBeta))
        {
            betas += "," + RequiredBeta;
        }

        headers.Remove("anthropic-beta");
        headers.TryAddWithoutValidation("anthropic-beta", betas);
    }

    /// <summary>OAuth tokens serve only Claude Code requests: its identity must open the system prompt.</summary>
    public override RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) =>
        request with { SystemPrefix = Identity };
}
