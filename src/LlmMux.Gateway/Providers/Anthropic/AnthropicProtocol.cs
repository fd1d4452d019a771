using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Anthropic;

/// <summary>Anthropic Messages with an API key: <c>x-api-key</c> (never Bearer) and exactly one <c>anthropic-version</c>.</summary>
internal class AnthropicProtocol : UpstreamProtocol
{
    public const string DefaultVersion = "2023-06-01";

    public static readonly AnthropicProtocol Instance = new();

    public override Dialect Dialect => Dialect.Anthropic;

    public override IReadOnlyList<string> PassThroughHeaders { get; } = ["anthropic-version", "anthropic-beta"];

    public override PathString GeneratePath(string model, bool stream) => "/v1/messages";

    public override PathString? CountTokensPath(string model) => "/v1/messages/count_tokens";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        if (apiKey is not null)
        {
            headers.Remove("x-api-key");
            headers.TryAddWithoutValidation("x-api-key", apiKey);
        }

        if (!headers.Contains("anthropic-version"))
        {
            headers.TryAddWithoutValidation("anthropic-version", DefaultVersion);
        }
    }
}
