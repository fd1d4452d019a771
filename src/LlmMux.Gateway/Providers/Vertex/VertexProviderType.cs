using System.Net.Http.Headers;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Providers.Vertex;
using LlmMux.Accounts.Refresh;

namespace LlmMux.Gateway.Providers.Vertex;

/// <summary>
/// Vertex AI with service-account keys (<c>llm-mux login vertex --key-file sa.json</c>): Gemini models in the Gemini
/// dialect, Claude models (<c>claude*</c>) in Anthropic Messages, both under
/// <c>{host}/v1/projects/{project}/locations/{region}</c>. The region is the provider's <c>region:</c>, else the one
/// its <c>base-url</c> host names (<c>https://{region}-aiplatform.googleapis.com</c>), else <c>global</c>; the project is
/// the provider's <c>project:</c>, else the key's <c>project_id</c>.
/// </summary>
internal sealed class VertexProviderType : ProviderType
{
    public const string Global = "global";

    private const string HostSuffix = "-aiplatform.googleapis.com";

    public static readonly VertexProviderType Instance = new();

    public override string Type => "vertex";

    /// <summary>The global endpoint; a <c>region:</c> other than global moves the default to that region's host.</summary>
    public override string DefaultBaseUrl => "https://aiplatform.googleapis.com";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("vertex");

    public override UpstreamProtocol Protocol => VertexGeminiProtocol.Instance;

    public override ModelCatalogue Catalogue { get; } = new(
        ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "claude-sonnet-4-5@20250929", "claude-opus-4-5@20251101", "claude-opus-4-1@20250805", "claude-haiku-4-5@20251001"],
        ["gemini-", "claude-"]);

    /// <summary>Express mode: <c>api-keys</c> on a vertex provider are its accounts (Gemini models only, global endpoint, no project).</summary>
    public override bool AlsoTakesApiKeys => true;

    /// <summary>Claude models are Anthropic's publisher on Vertex and speak Messages; everything else is Gemini.</summary>
    public override UpstreamProtocol ProtocolFor(string upstreamModel) =>
        upstreamModel.StartsWith("claude", StringComparison.OrdinalIgnoreCase) ? VertexClaudeProtocol.Instance : Protocol;

    public override string? BaseUrlFor(UpstreamCredential? login, ProviderDefinition provider)
    {
        if (login is null)
        {
            // An express-mode key: the global publisher path, no project or location.
            return provider.BaseUrl + "/v1";
        }

        var region = RegionOf(provider);
        var host = provider.BaseUrl == DefaultBaseUrl && region != Global ? $"https://{region}{HostSuffix}" : provider.BaseUrl;
        var project = provider.Project ?? (login?.Details as VertexDetails)?.ProjectId ?? "";
        return $"{host}/v1/projects/{Uri.EscapeDataString(project)}/locations/{Uri.EscapeDataString(region)}";
    }

    /// <summary>The configured region, else the one the host names, else global.</summary>
    public static string RegionOf(ProviderDefinition provider)
    {
        if (provider.Region is { Length: > 0 } region)
        {
            return region;
        }

        return Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var uri) && uri.Host.EndsWith(HostSuffix, StringComparison.OrdinalIgnoreCase)
            ? uri.Host[..^HostSuffix.Length]
            : Global;
    }

    internal static void SetBearer(HttpRequestHeaders headers, UpstreamCredential? login)
    {
        headers.Authorization = login is null ? null : new AuthenticationHeaderValue("Bearer", login.AccessToken);
        headers.Remove("anthropic-version");
        headers.Remove("x-api-key");
    }
}
