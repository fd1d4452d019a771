using LlmMux.Accounts.Providers;

namespace LlmMux.Gateway.Providers.Claude;

/// <summary>Claude Pro/Max logins: Anthropic Messages with the OAuth token.</summary>
internal sealed class ClaudeProviderType : ProviderType
{
    public static readonly ClaudeProviderType Instance = new();

    public override string Type => "claude";

    public override string DefaultBaseUrl => "https://api.anthropic.com";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("claude");

    public override UpstreamProtocol Protocol => ClaudeOAuthProtocol.Instance;

    public override Quota.QuotaReader Quota => ClaudeQuotaReader.Instance;

    public override bool SupportsPassThrough => true;

    /// <summary>Claude Code's own login (<c>claude /login</c>, <c>claude setup-token</c>): an OAuth access token.</summary>
    public override bool IsClientCredential(string bearer) => bearer.StartsWith("sk-ant-oat", StringComparison.Ordinal);

    public override ModelCatalogue Catalogue { get; } = new(["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4"], ["claude-"]);
}
