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

    public override Dialect Dialect => Dialect.Anthropic;

    public override bool ModelInBody => false;

    public override PathString GeneratePath(string model, bool stream)
        => $"/publishers/anthropic/models/{Uri.EscapeDataString(model)}:{(stream ? "streamRawPredict" : "rawPredict")}";

    /// <summary>Express-mode keys do not reach Anthropic's models: such a request is refused before it is sent.</summary>
    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login) =>
        VertexProviderType.SetBearer(headers, login ?? throw new Forwarding.UpstreamRequestException(Errors.ApiError.InvalidRequestBody(
            "Claude models on Vertex AI need a service-account login (llm-mux login vertex --key-file); express-mode API keys serve Gemini models only.")));

    /// <summary>No model to write (the path carries it), so the body's own is removed rather than replaced.</summary>
    public override RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) =>
        request with { Model = null, RemoveFields = Removed, ForceFields = Forced };
}
