using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers;

/// <summary>
/// The flows of one subscription provider. A provider derives from <see cref="RefreshTokenProvider"/> (a refresh
/// token in the file buys new access tokens) or <see cref="TokenExchangeProvider"/> (the stored token is exchanged for
/// a short-lived one kept in memory), and is listed once in <see cref="SubscriptionProviders"/>.
/// </summary>
internal abstract class SubscriptionProvider : ISubscriptionProvider
{
    /// <summary>Only the two renewal kinds below derive from here, so every provider is one of them.</summary>
    private protected SubscriptionProvider()
    {
    }

    public abstract string Type { get; }

    public virtual string FileType => Type;

    public virtual IReadOnlyList<string> Aliases => [];

    public abstract string DisplayName { get; }

    public abstract OAuthSettings DefaultOAuth { get; }

    /// <summary>Runs the login (browser + PKCE, or device flow) and returns the new file and who signed in.</summary>
    public abstract Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct);

    /// <summary>The field a usable file of this provider lacks, or null when it has what it needs.</summary>
    public abstract string? MissingField(AccountFile file);

    /// <summary>When the stored access token expires, when the file says so.</summary>
    public virtual DateTimeOffset? Expiry(AccountFile file) => null;

    /// <summary>The e-mail or user name the file was written for.</summary>
    public virtual string? Identity(AccountFile file) =>
        !string.IsNullOrWhiteSpace(file.Email) ? file.Email : !string.IsNullOrWhiteSpace(file.Username) ? file.Username : null;

    /// <summary>The provider's own data of the account, handed to the gateway with every credential.</summary>
    public virtual ProviderDetails? Details(AccountFile file) => null;
}

/// <summary>What a login produced: the account file to write and the identity that names it.</summary>
internal sealed record LoginResult(AccountFile File, string Identity)
{
    public override string ToString() => $"LoginResult {{ Identity = {Identity} }}";
}

/// <summary>
/// A provider whose file holds an access token and a refresh token: <see cref="RefreshAsync"/> trades the refresh
/// token for a new grant, which <see cref="Apply"/> writes back before the new token is used. The defaults read and
/// write the top-level token fields (<c>access_token</c>, <c>refresh_token</c>, <c>expired</c>); a provider with
/// another file shape overrides them.
/// </summary>
internal abstract class RefreshTokenProvider : SubscriptionProvider
{
    public virtual string? AccessToken(AccountFile file) => file.AccessToken;

    public virtual string? RefreshToken(AccountFile file) => file.RefreshToken;

    public abstract Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct);

    /// <summary>The file with the grant applied (rotated tokens, expiry); fields it does not touch are kept.</summary>
    public virtual AccountFile Apply(TokenGrant grant, AccountFile file, DateTimeOffset now) => grant.ApplyFlat(file, now);

    /// <summary>Either token will do: a refresh token alone buys an access token on first use.</summary>
    public override string? MissingField(AccountFile file) =>
        string.IsNullOrEmpty(AccessToken(file)) && string.IsNullOrEmpty(RefreshToken(file)) ? "access_token" : null;

    public override DateTimeOffset? Expiry(AccountFile file) => AccountFiles.ParseTime(file.Expired);

    /// <summary>The token the file holds now, fresh or not; null when it has none.</summary>
    public UpstreamCredential? Credential(Account account, AccountFile file) =>
        AccessToken(file) is { Length: > 0 } token ? new UpstreamCredential(token, account.Expiry) { Details = account.Details } : null;
}

/// <summary>
/// A provider whose file holds a long-lived token that is exchanged for a short-lived API token, cached in memory
/// only. A 401 from the exchange means the stored token is dead: the account is marked expired.
/// </summary>
internal abstract class TokenExchangeProvider : SubscriptionProvider
{
    public abstract Task<ExchangedToken> ExchangeAsync(HttpClient http, OAuthSettings settings, string storedToken, TimeSpan lead, DateTimeOffset now, CancellationToken ct);

    /// <summary>The exchange for an account file; a provider whose exchange needs more of the file than its stored token (a key to sign with) overrides it.</summary>
    public virtual Task<ExchangedToken> ExchangeAsync(HttpClient http, OAuthSettings settings, AccountFile file, TimeSpan lead, DateTimeOffset now, CancellationToken ct) =>
        ExchangeAsync(http, settings, StoredToken(file)!, lead, now, ct);

    /// <summary>The stored token the exchange presents.</summary>
    public abstract string? StoredToken(AccountFile file);
}
