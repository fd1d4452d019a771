using System.Security.Cryptography;
using System.Text;

namespace LlmMux.Accounts.OAuth;

/// <summary>A PKCE pair (RFC 7636, S256). <see cref="ToString"/> is redacted.</summary>
public sealed record PkceCodes(string Verifier, string Challenge)
{
    public const string Method = "S256";

    /// <summary>Verifier from 64 random bytes, base64url (86 characters); challenge = base64url(SHA-256(verifier)).</summary>
    public static PkceCodes Create()
    {
        var verifier = OAuthRandom.Base64Url(64);
        return new PkceCodes(verifier, ChallengeOf(verifier));
    }

    public static string ChallengeOf(string verifier) => Base64UrlOf(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    internal static string Base64UrlOf(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The authorization-code + PKCE URL of a browser login: the standard parameters, then the provider's
    /// <paramref name="extra"/> ones, then <c>state</c>.
    /// </summary>
    internal string AuthorizeUrl(OAuthSettings settings, string redirectUri, string state, IEnumerable<KeyValuePair<string, string>> extra) =>
        Query.Build(settings.AuthorizeUrl,
        [
            new("client_id", settings.ClientId),
            new("response_type", "code"),
            new("redirect_uri", redirectUri),
            new("scope", settings.Scopes),
            new("code_challenge", Challenge),
            new("code_challenge_method", Method),
            .. extra,
            new("state", state),
        ]);

    public override string ToString() => "PkceCodes { redacted }";
}

/// <summary>Unguessable values for <c>state</c> and the PKCE verifier.</summary>
public static class OAuthRandom
{
    public static string Base64Url(int bytes) => PkceCodes.Base64UrlOf(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>A fresh <c>state</c> value: 32 random bytes, base64url.</summary>
    public static string State() => Base64Url(32);
}
