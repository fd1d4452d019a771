using LlmMux.Accounts.Providers;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.Antigravity;

/// <summary>
/// Antigravity logins (config type <c>antigravity</c>): Gemini and Claude models through Google's v1internal API.
/// Quota is shared per model family on an account (<see cref="QuotaGroup"/>), and reported per model by
/// <c>fetchAvailableModels</c> (<see cref="AntigravityQuotaReader"/>).
/// </summary>
internal sealed class AntigravityProviderType : ProviderType
{
    public static readonly AntigravityProviderType Instance = new();

    public override string Type => "antigravity";

    public override string DefaultBaseUrl => "https://daily-cloudcode-pa.googleapis.com";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("antigravity");

    public override UpstreamProtocol Protocol => AntigravityProtocol.Instance;

    public override ModelCatalogue Catalogue { get; } = new(
        ["gemini-3-pro-high", "gemini-3-pro-low", "gemini-3-flash", "gemini-2.5-flash", "gemini-2.5-flash-lite", "claude-sonnet-4-5", "claude-sonnet-4-5-thinking", "claude-opus-4-5-thinking"],
        ["gemini-", "claude-"]);

    public override QuotaReader Quota => AntigravityQuotaReader.Instance;

    public override bool ListsReportedModels => true;

    public override string QuotaGroup(string upstreamModel) => AntigravityQuotaGroups.Of(upstreamModel);
}
