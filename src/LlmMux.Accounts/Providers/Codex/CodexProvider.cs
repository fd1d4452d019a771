using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers.Codex;

/// <summary>OpenAI OAuth (ChatGPT plans, Codex): authorization code + PKCE, form token endpoint, account id from the id_token.</summary>
internal sealed class CodexProvider : RefreshTokenProvider
{
    public const string TypeName = "codex";

    public override string Type => TypeName;

    public override string DisplayName => "ChatGPT (Codex)";

    public override OAuthSettings DefaultOAuth { get; } = new(
        AuthorizeUrl: "https://auth.openai.com/oauth/authorize",
        TokenUrl: "https://auth.openai.com/oauth/token",
        DeviceCodeUrl: null,
        ClientId: "app_EMoamEEZ73f0CkXaXp7hrann",
        ClientSecret: null,
        CallbackPort: 1455,
        CallbackPath: "/auth/callback",
        Scopes: "openid email profile offline_access");

    public override Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct) =>
        BrowserLogin.RunAsync(
            context,
            DisplayName,
            [new("prompt", "login"), new("id_token_add_organizations", "true"), new("codex_cli_simplified_flow", "true")],
            callback => ExchangeAsync(context, callback, ct),
            ct);

    public override ProviderDetails? Details(AccountFile file) =>
        string.IsNullOrEmpty(file.AccountId) ? null : new CodexDetails(file.AccountId);

    public override async Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct)
    {
        const string step = "Codex token refresh";
        return TokenGrant.Parse(await OAuthHttp.PostFormAsync(http, settings.TokenUrl,
        [
            new("client_id", settings.ClientId),
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("scope", "openid profile email"),
        ], step, null, ct).ConfigureAwait(false), step);
    }

    /// <summary>Applies a grant and takes e-mail and ChatGPT account id from its id_token when present.</summary>
    public override AccountFile Apply(TokenGrant grant, AccountFile file, DateTimeOffset now)
    {
        var updated = grant.ApplyFlat(file, now);
        if (JwtClaims.Payload(grant.IdToken) is not { } claims)
        {
            return updated;
        }

        var email = OAuthHttp.String(claims, "email");
        var accountId = CodexDetails.AccountIdClaim(claims);
        return updated with
        {
            Email = string.IsNullOrEmpty(email) ? updated.Email : email,
            AccountId = string.IsNullOrEmpty(accountId) ? updated.AccountId : accountId,
        };
    }

    private async Task<LoginResult> ExchangeAsync(LoginContext context, BrowserCallback callback, CancellationToken ct)
    {
        const string step = "Codex token exchange";
        var json = await OAuthHttp.PostFormAsync(context.Http, context.Settings.TokenUrl,
        [
            new("grant_type", "authorization_code"),
            new("client_id", context.Settings.ClientId),
            new("code", callback.Code.Code),
            new("redirect_uri", callback.RedirectUri),
            new("code_verifier", callback.Pkce.Verifier),
        ], step, null, ct).ConfigureAwait(false);
        var file = Apply(TokenGrant.Parse(json, step), new AccountFile { Type = TypeName }, context.Now);
        return new LoginResult(file, file.Email ?? "");
    }
}
