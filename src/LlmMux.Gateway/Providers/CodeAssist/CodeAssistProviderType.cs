using LlmMux.Accounts.Providers;

namespace LlmMux.Gateway.Providers.CodeAssist;

/// <summary>Google logins (config type <c>gemini</c>): Gemini through Code Assist.</summary>
internal sealed class CodeAssistProviderType : ProviderType
{
    public static readonly CodeAssistProviderType Instance = new();

    public override string Type => "gemini";

    public override string DefaultBaseUrl => "https://cloudcode-pa.googleapis.com";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("gemini");

    public override UpstreamProtocol Protocol => CodeAssistProtocol.Instance;

    public override Quota.QuotaReader Quota => CodeAssistQuotaReader.Instance;

    public override ModelCatalogue Catalogue { get; } = new(["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview"], ["gemini-"]);
}
