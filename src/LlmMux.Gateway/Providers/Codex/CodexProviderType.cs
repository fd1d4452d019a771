using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Refresh;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Codex;

/// <summary>ChatGPT plan logins: OpenAI Responses to the ChatGPT backend.</summary>
internal sealed class CodexProviderType : ProviderType
{
    public static readonly CodexProviderType Instance = new();

    public override string Type => "codex";

    public override string DefaultBaseUrl => "https://chatgpt.com/backend-api/codex";

    public override ISubscriptionProvider Subscription { get; } = SubscriptionProviders.Default.Get("codex");

    public override UpstreamProtocol Protocol => CodexProtocol.Instance;

    public override Quota.QuotaReader Quota => CodexQuotaReader.Instance;

    public override bool SupportsPassThrough => true;

    /// <summary>The Codex CLI's ChatGPT login sends its access token, a JWT.</summary>
    public override bool IsClientCredential(string bearer)
        => bearer.StartsWith("eyJ", StringComparison.Ordinal) && bearer.AsSpan().Count('.') == 2;

    /// <summary>The client's <c>chatgpt-account-id</c>, else the account its token names (as a login's id token does).</summary>
    public override UpstreamCredential ClientCredential(string bearer, IHeaderDictionary headers) => new(bearer, null)
    {
        Details = headers.TryGetValue("chatgpt-account-id", out var sent) && !string.IsNullOrEmpty(sent)
            ? new CodexDetails(sent.ToString())
            : CodexDetails.FromToken(bearer),
    };

    public override ModelCatalogue Catalogue { get; } = new(["gpt-5", "gpt-5-codex", "gpt-5.1", "gpt-5.1-codex", "gpt-5.1-codex-mini"], ["gpt-5", "codex-"]);
}
