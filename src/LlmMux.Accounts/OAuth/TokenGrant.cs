using System.Text.Json;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.OAuth;

/// <summary>What a token endpoint returned. Holds secrets: <see cref="ToString"/> is redacted.</summary>
internal sealed record TokenGrant(string AccessToken, string? RefreshToken, long? ExpiresIn, string? IdToken, string? TokenType, JsonElement Body)
{
    public static TokenGrant Parse(JsonElement body, string step) => new(
        OAuthHttp.Required(body, "access_token", step),
        OAuthHttp.String(body, "refresh_token"),
        OAuthHttp.Int64(body, "expires_in"),
        OAuthHttp.String(body, "id_token"),
        OAuthHttp.String(body, "token_type"),
        body);

    /// <summary>
    /// Longest lifetime believed. <c>expires_in</c> comes from the network: a huge value must not overflow the clock
    /// (an exception here would outlive the refresh that just rotated the token), and a 401 still forces a refresh.
    /// </summary>
    internal static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    public DateTimeOffset? ExpiresAt(DateTimeOffset now) =>
        OAuthHttp.Seconds(ExpiresIn, MaxLifetime) is { } lifetime ? now + lifetime : null;

    /// <summary>
    /// Applies the grant to a file with top-level token fields (claude, codex): new access token, the rotated refresh token (or the old one when the
    /// provider did not rotate), expiry, last refresh; clears an <c>expired</c> state. Other fields are kept.
    /// </summary>
    public AccountFile ApplyFlat(AccountFile file, DateTimeOffset now) => file with
    {
        AccessToken = AccessToken,
        RefreshToken = string.IsNullOrEmpty(RefreshToken) ? file.RefreshToken : RefreshToken,
        IdToken = string.IsNullOrEmpty(IdToken) ? file.IdToken : IdToken,
        Expired = ExpiresAt(now) is { } at ? AccountFiles.FormatTime(at) : file.Expired,
        LastRefresh = AccountFiles.FormatTime(now),
        State = null,
    };

    public override string ToString() => "TokenGrant { redacted }";
}
