using LlmMux.Accounts.Providers;

namespace LlmMux.Accounts.Refresh;

/// <summary>What the gateway's request transform asks for: a usable upstream token for one account.</summary>
public interface ICredentialProvider
{
    /// <summary>
    /// A token valid for at least the refresh lead, refreshing first when needed (single-flight per account).
    /// Throws <see cref="AccountUnavailableException"/> when the account cannot be used.
    /// </summary>
    ValueTask<UpstreamCredential> GetAsync(string accountId, CancellationToken ct);

    /// <summary>
    /// Upstream answered 401 for <paramref name="rejectedAccessToken"/>. If that token has already been replaced,
    /// the newer one is returned without another refresh; otherwise the account is refreshed now (single-flight).
    /// </summary>
    ValueTask<UpstreamCredential> RefreshAsync(string accountId, string rejectedAccessToken, CancellationToken ct);

    /// <summary>
    /// The provider said it no longer serves this account through its type (a retired plan): the file is marked
    /// <see cref="Store.AccountState.Retired"/> with <paramref name="reason"/>, so no one uses it until a new login.
    /// </summary>
    Task RetireAsync(string accountId, string reason, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// A token to put on an upstream request. <see cref="ToString"/> is redacted.
/// </summary>
/// <param name="AccessToken">Bearer token (for a token exchange such as Copilot's: the short-lived token).</param>
/// <param name="ExpiresAt">When the token expires, when known.</param>
public sealed record UpstreamCredential(string AccessToken, DateTimeOffset? ExpiresAt)
{
    /// <summary>The API host this token must be sent to, when its provider names one per token (Copilot's <c>endpoints.api</c>).</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The account's provider data (a project, an account id) the upstream request needs.</summary>
    public ProviderDetails? Details { get; init; }

    public override string ToString() =>
        $"UpstreamCredential {{ AccessToken = <redacted>, ExpiresAt = {ExpiresAt}, BaseUrl = {BaseUrl}, Details = {Details} }}";
}

/// <summary>Why an account cannot give a token right now.</summary>
public enum AccountUnavailableReason
{
    /// <summary>No account with that id in the auth dir.</summary>
    NotFound,

    /// <summary>Disabled by the user.</summary>
    Disabled,

    /// <summary>The provider rejected the refresh token (or GitHub token): a new login is needed.</summary>
    Expired,

    /// <summary>The refresh or token exchange failed for another reason (network, 5xx, …); may work later.</summary>
    RefreshFailed,

    /// <summary>The provider no longer serves the account through this type; another login type is needed.</summary>
    Retired,
}

/// <summary>An account cannot be used now. The message names the account and reason, never a token.</summary>
public sealed class AccountUnavailableException : Exception
{
    public AccountUnavailableException()
    {
    }

    public AccountUnavailableException(string message)
        : base(message)
    {
    }

    public AccountUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AccountUnavailableException(string accountId, AccountUnavailableReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        AccountId = accountId;
        Reason = reason;
    }

    public string AccountId { get; } = "";

    public AccountUnavailableReason Reason { get; }

    /// <summary>Other accounts may serve the request; this one will not until the user acts (or, for RefreshFailed, later).</summary>
    public bool IsPermanent => Reason is not AccountUnavailableReason.RefreshFailed;
}
