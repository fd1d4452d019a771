using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers.Claude;

/// <summary>Anthropic OAuth (Claude Pro/Max): authorization code + PKCE, JSON token endpoint.</summary>
internal sealed class ClaudeProvider : RefreshTokenProvider
{
    public const string TypeName = "claude";

    public override string Type => TypeName;

    public override string DisplayName => "Claude";

    public override OAuthSettings DefaultOAuth { get; } = new(
        AuthorizeUrl: "https://claude.ai/oauth/authorize",
        // console.anthropic.com is Cloudflare-challenged now; platform.claude.com serves the same endpoint.
        TokenUrl: "https://platform.claude.com/v1/oauth/token",
        DeviceCodeUrl: null,
        ClientId: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
        ClientSecret: null,
        CallbackPort: 54545,
        CallbackPath: "/callback",
        Scopes: "org:create_api_key user:profile user:inference");

    public override Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct) =>
        BrowserLogin.RunAsync(context, DisplayName, [new("code", "true")], callback => ExchangeAsync(context, callback, ct), ct);

    public override async Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = settings.ClientId,
        };
        const string step = "Claude token refresh";
        return TokenGrant.Parse(await OAuthHttp.PostJsonAsync(http, settings.TokenUrl, body, step, null, ct).ConfigureAwait(false), step);
    }

    private static async Task<LoginResult> ExchangeAsync(LoginContext context, BrowserCallback callback, CancellationToken ct)
    {
        // Claude's code page shows "<code>#<state>"; the token endpoint wants them apart.
        var raw = callback.Code.Code;
        var codeState = callback.Code.State ?? callback.State;
        var hash = raw.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            codeState = raw[(hash + 1)..];
            raw = raw[..hash];
        }

        var body = new JsonObject
        {
            ["code"] = raw,
            ["state"] = codeState,
            ["grant_type"] = "authorization_code",
            ["client_id"] = context.Settings.ClientId,
            ["redirect_uri"] = callback.RedirectUri,
            ["code_verifier"] = callback.Pkce.Verifier,
        };
        const string step = "Claude token exchange";
        var json = await OAuthHttp.PostJsonAsync(context.Http, context.Settings.TokenUrl, body, step, null, ct).ConfigureAwait(false);
        var grant = TokenGrant.Parse(json, step);
        var email = json.TryGetProperty("account", out var account) ? OAuthHttp.String(account, "email_address") : null;
        var file = grant.ApplyFlat(new AccountFile { Type = TypeName, Email = email }, context.Now);
        return new LoginResult(file, email ?? "");
    }
}
