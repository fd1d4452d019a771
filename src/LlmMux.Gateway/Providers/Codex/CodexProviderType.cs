using LlmMux.Accounts.Providers;

namespace LlmMux.Gateway.Providers.Codex;

/// <summary>ChatGPT plan logins: OpenAI Responses to the ChatGPT backend.</summary>
internal sealed class CodexProviderType : ProviderType
{
    public static readonly CodexProviderType Instance = new();

    public override string Type => "codex";

    public override string DefaultBaseUrl => "https://chatgpt.com/backend-api/codex";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("codex");

    public override UpstreamProtocol Protocol => CodexProtocol.Instance;

    public override ModelCatalogue Catalogue { get; } = new(["gpt-5", "gpt-5-codex", "gpt-5.1", "gpt-5.1-codex", "gpt-5.1-codex-mini"], ["gpt-5", "codex-"]);
}
