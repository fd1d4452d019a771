using System.Collections.Immutable;
using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Vertex;

/// <summary>
/// Claude models on Vertex AI: <c>publishers/anthropic/models/{model}:rawPredict</c> (<c>:streamRawPredict</c>) with an
/// Anthropic Messages body that names no <c>model</c> (the path does; Vertex answers 400 to one that does) and carries
/// <c>anthropic_version: vertex-2023-10-16</c> instead of the header.
/// </summary>
internal sealed class VertexClaudeProtocol : UpstreamProtocol
{
    public const string AnthropicVersion = "vertex-2023-10-16";

    public static readonly VertexClaudeProtocol Instance = new();

    private static readonly ImmutableArray<string> Removed = ["model"];

    private static readonly ImmutableArray<BodyField> Forced = [BodyField.Text("anthropic_version", AnthropicVersion)];

    /// <summary>Generation fields a Messages body encoded from another dialect carries and the counter refuses.</summary>
    private static readonly ImmutableArray<string> NotCounted = ["max_tokens", "stream", "temperature", "top_p", "top_k", "stop_sequences", "metadata", "service_tier"];

    /// <summary>Betas that concern Anthropic's own credentials (an OAuth login): meaningless to a service account.</summary>
    private const string CredentialBetaPrefix = "oauth-";

    public override Dialect Dialect => Dialect.Anthropic;

    public override bool ModelInBody => false;

    public override PathString GeneratePath(string model, bool stream)
        => $"/publishers/anthropic/models/{Uri.EscapeDataString(model)}:{(stream ? "streamRawPredict" : "rawPredict")}";

    /// <summary>Anthropic's counter on Vertex: one path for every model, which the body names.</summary>
    public override PathString? CountTokensPath(string model) => "/publishers/anthropic/models/count-tokens:rawPredict";

    public override bool CountsTokensForEveryDialect => true;

    /// <summary>The model stays in the body (the path names none) with <c>anthropic_version</c>, as Anthropic's Vertex SDK sends it.</summary>
    public override RequestOverrides CountTokensOverrides(RequestOverrides request, UpstreamCredential? login) =>
        request with { Reasoning = null, RemoveFields = NotCounted, ForceFields = Forced };

    /// <summary>
    /// The client's <c>anthropic-beta</c> header (Claude Code's betas) as the body's <c>anthropic_beta</c> list, where
    /// Vertex reads them (as Anthropic's Vertex SDK and the gateways in front of Vertex put them); the header itself is
    /// not forwarded. Credential betas (<c>oauth-*</c>) are left out.
    /// </summary>
    public override RequestOverrides ClientHeaderOverrides(RequestOverrides request, IHeaderDictionary clientHeaders)
    {
        var betas = clientHeaders["anthropic-beta"]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(b => !b.StartsWith(CredentialBetaPrefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (betas.Count == 0)
        {
            return request;
        }

        var list = "[" + string.Join(",", betas.Select(b => "\"" + System.Text.Json.JsonEncodedText.Encode(b) + "\"")) + "]";
        return request with { ForceFields = [.. request.ForceFields, new BodyField("anthropic_beta", list)] };
    }

    /// <summary>Express-mode keys do not reach Anthropic's models: such a request is refused before it is sent.</summary>
    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login) =>
        VertexProviderType.SetBearer(headers, login ?? throw new Forwarding.UpstreamRequestException(Errors.ApiError.InvalidRequestBody(
            "Claude models on Vertex AI need a service-account login (llm-mux login vertex --key-file); express-mode API keys serve Gemini models only.")));

    /// <summary>No model to write (the path carries it), so the body's own is removed rather than replaced.</summary>
    public override RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) =>
        request with { Model = null, RemoveFields = Removed, ForceFields = Forced };
}
