using System.Text.Json;
using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Providers.Codex;

/// <summary>A Codex account's ChatGPT account id (<c>account_id</c>), sent upstream as <c>Chatgpt-Account-Id</c>.</summary>
public sealed record CodexDetails(string ChatGptAccountId) : ProviderDetails
{
    private const string AuthClaim = "https://api.openai.com/auth";

    /// <summary>
    /// The account a Codex token (access or id token) names in its auth claim, or null: how a pass-through request that
    /// sent no <c>chatgpt-account-id</c> gets one, as a login gets it from its id token.
    /// </summary>
    public static CodexDetails? FromToken(string? jwt)
        => JwtClaims.Payload(jwt) is { } claims && AccountIdClaim(claims) is { Length: > 0 } id ? new CodexDetails(id) : null;

    internal static string? AccountIdClaim(JsonElement claims)
        => claims.TryGetProperty(AuthClaim, out var auth) ? OAuthHttp.String(auth, "chatgpt_account_id") : null;
}
