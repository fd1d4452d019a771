using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.Copilot;

/// <summary>GitHub Copilot logins: OpenAI Chat with the short-lived Copilot token. It serves other vendors' models under their names, so its catalogue claims only what it is known to list.</summary>
internal sealed class CopilotProviderType : ProviderType
{
    public static readonly CopilotProviderType Instance = new();

    public override string Type => "copilot";

    public override string DefaultBaseUrl => "https://api.githubcopilot.com";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("copilot");

    public override UpstreamProtocol Protocol => CopilotProtocol.Instance;

    public override QuotaReader Quota => CopilotQuotaReader.Instance;

    public override ModelCatalogue Catalogue { get; } = new(["gpt-4.1", "gpt-4o", "gpt-5", "gpt-5-mini", "claude-sonnet-4", "claude-sonnet-4.5", "gemini-2.5-pro"], []);

    /// <summary>Copilot names its API host per token (business and enterprise seats differ); an explicit base-url still wins.</summary>
    public override string? BaseUrlFor(UpstreamCredential? login, string baseUrl) =>
        login?.BaseUrl is { } apiBase && baseUrl == DefaultBaseUrl ? apiBase.TrimEnd('/') : null;
}
