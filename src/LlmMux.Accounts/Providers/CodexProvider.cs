using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers;

/// <summary>OpenAI OAuth (ChatGPT plans, Codex): authorization code + PKCE, form token endpoint, account id from the id_token.</summary>
internal static class CodexProvider
{
    private const string AuthClaim = "https://api.openai.com/auth";

    public static string AuthorizeUrl(OAuthSettings settings, string redirectUri, PkceCodes pkce, string state) =>
        Query.Build(settings.AuthorizeUrl,
        [
            new("client_id", settings.ClientId),
            new("response_type", "code"),
            new("redirect_uri", redirectUri),
            new("scope", settings.Scopes),
            new("code_challenge", pkce.Challenge),
            new("code_challenge_method", PkceCodes.Method),
            new("prompt", "login"),
            new("id_token_add_organizations", "true"),
            new("codex_cli_simplified_flow", "true"),
            new("state", state),
        ]);

    public static async Task<(AccountFile File, string Identity)> ExchangeAsync(
        HttpClient http, OAuthSettings settings, AuthorizationCode code, string redirectUri, PkceCodes pkce, DateTimeOffset now, CancellationToken ct)
    {
        const string step = "Codex token exchange";
        var json = await OAuthHttp.PostFormAsync(http, settings.TokenUrl,
        [
            new("grant_type", "authorization_code"),
            new("client_id", settings.ClientId),
            new("code", code.Code),
            new("redirect_uri", redirectUri),
            new("code_verifier", pkce.Verifier),
        ], step, null, ct).ConfigureAwait(false);
        var grant = TokenGrant.Parse(json, step);
        var file = Apply(grant, new AccountFile { Type = AccountTypes.Codex }, now);
        return (file, file.Email ?? "");
    }

    public static async Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct)
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
    public static AccountFile Apply(TokenGrant grant, AccountFile file, DateTimeOffset now)
    {
        var updated = grant.ApplyFlat(file, now);
        if (JwtClaims.Payload(grant.IdToken) is not { } claims)
        {
            return updated;
        }

        var email = OAuthHttp.String(claims, "email");
        var accountId = claims.TryGetProperty(AuthClaim, out var auth) ? OAuthHttp.String(auth, "chatgpt_account_id") : null;
        return updated with
        {
            Email = string.IsNullOrEmpty(email) ? updated.Email : email,
            AccountId = string.IsNullOrEmpty(accountId) ? updated.AccountId : accountId,
        };
    }
}
