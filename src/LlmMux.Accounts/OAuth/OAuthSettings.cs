using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.OAuth;

/// <summary>
/// Endpoints and client identity of one OAuth provider. <see cref="Defaults"/> has the real values; the gateway maps
/// a provider's <c>oauth:</c> block of <c>llm-mux.yaml</c> onto them with <see cref="With"/>, and tests point every
/// URL at local fakes.
/// </summary>
/// <param name="AuthorizeUrl">Browser authorization endpoint (PKCE flows).</param>
/// <param name="TokenUrl">Token endpoint: code exchange and refresh; for copilot, GitHub's device-flow access-token URL.</param>
/// <param name="DeviceCodeUrl">Device-code endpoint (copilot).</param>
/// <param name="CopilotTokenUrl">Copilot token exchange (copilot).</param>
/// <param name="ClientId">OAuth client id.</param>
/// <param name="ClientSecret">Client secret of an installed-app client (gemini); not a user secret.</param>
/// <param name="CallbackPort">Local callback port the provider expects; 0 = any free port (tests).</param>
/// <param name="CallbackPath">Path of the redirect URI.</param>
/// <param name="Scopes">Space-separated scopes.</param>
public sealed record OAuthSettings(
    string AuthorizeUrl,
    string TokenUrl,
    string? DeviceCodeUrl,
    string? CopilotTokenUrl,
    string ClientId,
    string? ClientSecret,
    int CallbackPort,
    string CallbackPath,
    string Scopes)
{
    /// <summary>Google user-info endpoint (gemini login).</summary>
    public string? UserInfoUrl { get; init; }

    /// <summary>Base of the Code Assist API, without <c>/v1internal</c> (gemini login).</summary>
    public string? CodeAssistBaseUrl { get; init; }

    /// <summary>GitHub "authenticated user" endpoint (copilot login, for the user name).</summary>
    public string? GitHubUserUrl { get; init; }

    /// <summary>Host in the redirect URI. The providers register <c>localhost</c>; the listener binds the loopback address.</summary>
    public string RedirectHost { get; init; } = "localhost";

    /// <summary>The redirect URI for a listener on <paramref name="port"/>.</summary>
    public string RedirectUri(int port) => $"http://{RedirectHost}:{port}{CallbackPath}";

    /// <summary>The built-in settings for <c>claude</c>, <c>codex</c>, <c>gemini</c> or <c>copilot</c>.</summary>
    public static OAuthSettings Defaults(string type) => AccountTypes.Normalize(type) switch
    {
        AccountTypes.Claude => new OAuthSettings(
            AuthorizeUrl: "https://claude.ai/oauth/authorize",
            // console.anthropic.com is Cloudflare-challenged now; platform.claude.com serves the same endpoint.
            TokenUrl: "https://platform.claude.com/v1/oauth/token",
            DeviceCodeUrl: null,
            CopilotTokenUrl: null,
            ClientId: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
            ClientSecret: null,
            CallbackPort: 54545,
            CallbackPath: "/callback",
            Scopes: "org:create_api_key user:profile user:inference"),
        AccountTypes.Codex => new OAuthSettings(
            AuthorizeUrl: "https://auth.openai.com/oauth/authorize",
            TokenUrl: "https://auth.openai.com/oauth/token",
            DeviceCodeUrl: null,
            CopilotTokenUrl: null,
            ClientId: "app_EMoamEEZ73f0CkXaXp7hrann",
            ClientSecret: null,
            CallbackPort: 1455,
            CallbackPath: "/auth/callback",
            Scopes: "openid email profile offline_access"),
        AccountTypes.Gemini => new OAuthSettings(
            AuthorizeUrl: "https://accounts.google.com/o/oauth2/auth",
            TokenUrl: "https://oauth2.googleapis.com/token",
            DeviceCodeUrl: null,
            CopilotTokenUrl: null,
            // The public installed-app client of the official gemini-cli (its "secret" is not confidential).
            ClientId: "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",
            ClientSecret: "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",
            CallbackPort: 8085,
            CallbackPath: "/oauth2callback",
            Scopes: "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile")
        {
            UserInfoUrl = "https://www.googleapis.com/oauth2/v1/userinfo?alt=json",
            CodeAssistBaseUrl = "https://cloudcode-pa.googleapis.com",
        },
        AccountTypes.Copilot => new OAuthSettings(
            AuthorizeUrl: "https://github.com/login/oauth/authorize",
            TokenUrl: "https://github.com/login/oauth/access_token",
            DeviceCodeUrl: "https://github.com/login/device/code",
            CopilotTokenUrl: "https://api.github.com/copilot_internal/v2/token",
            ClientId: "Iv1.b507a08c87ecfe98",
            ClientSecret: null,
            CallbackPort: 0,
            CallbackPath: "/",
            Scopes: "read:user")
        {
            GitHubUserUrl = "https://api.github.com/user",
        },
        _ => throw new ArgumentException($"No OAuth login for account type '{type}'.", nameof(type)),
    };

    /// <summary>A copy with every non-null override applied (the <c>oauth:</c> block of a provider).</summary>
    public OAuthSettings With(
        string? authorizeUrl = null,
        string? tokenUrl = null,
        string? deviceCodeUrl = null,
        string? copilotTokenUrl = null,
        string? clientId = null,
        int? callbackPort = null,
        string? clientSecret = null,
        string? scopes = null,
        string? userInfoUrl = null,
        string? codeAssistBaseUrl = null,
        string? gitHubUserUrl = null) => this with
        {
            AuthorizeUrl = authorizeUrl ?? AuthorizeUrl,
            TokenUrl = tokenUrl ?? TokenUrl,
            DeviceCodeUrl = deviceCodeUrl ?? DeviceCodeUrl,
            CopilotTokenUrl = copilotTokenUrl ?? CopilotTokenUrl,
            ClientId = clientId ?? ClientId,
            CallbackPort = callbackPort ?? CallbackPort,
            ClientSecret = clientSecret ?? ClientSecret,
            Scopes = scopes ?? Scopes,
            UserInfoUrl = userInfoUrl ?? UserInfoUrl,
            CodeAssistBaseUrl = codeAssistBaseUrl ?? CodeAssistBaseUrl,
            GitHubUserUrl = gitHubUserUrl ?? GitHubUserUrl,
        };
}
