using System.Text.Json.Nodes;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers;

/// <summary>Anthropic OAuth (Claude Pro/Max): authorization code + PKCE, JSON token endpoint.</summary>
internal static class ClaudeProvider
{
    public static string AuthorizeUrl(OAuthSettings settings, string redirectUri, PkceCodes pkce, string state) =>
        Query.Build(settings.AuthorizeUrl,
        [
            new("code", "true"),
            new("client_id", settings.ClientId),
            new("response_type", "code"),
            new("redirect_uri", redirectUri),
            new("scope", settings.Scopes),
            new("code_challenge", pkce.Challenge),
            new("code_challenge_method", PkceCodes.Method),
            new("state", state),
        ]);

    public static async Task<(AccountFile File, string Identity)> ExchangeAsync(
        HttpClient http, OAuthSettings settings, AuthorizationCode code, string redirectUri, PkceCodes pkce, string state, DateTimeOffset now, CancellationToken ct)
    {
        // Claude's code page shows "<code>#<state>"; the token endpoint wants them apart.
        var raw = code.Code;
        var codeState = code.State ?? state;
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
            ["client_id"] = settings.ClientId,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = pkce.Verifier,
        };
        const string step = "Claude token exchange";
        var json = await OAuthHttp.PostJsonAsync(http, settings.TokenUrl, body, step, null, ct).ConfigureAwait(false);
        var grant = TokenGrant.Parse(json, step);
        var email = json.TryGetProperty("account", out var account) ? OAuthHttp.String(account, "email_address") : null;
        var file = grant.ApplyFlat(new AccountFile { Type = AccountTypes.Claude, Email = email }, now);
        return (file, email ?? "");
    }

    public static async Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct)
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
}
