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
}

/// <summary>
/// A token to put on an upstream request. <see cref="ToString"/> is redacted.
/// </summary>
/// <param name="AccessToken">Bearer token (for copilot: the short-lived Copilot token).</param>
/// <param name="ExpiresAt">When the token expires, when known.</param>
/// <param name="AccountId">Codex: ChatGPT account id for <c>Chatgpt-Account-Id</c>.</param>
/// <param name="ProjectId">Gemini: Code Assist project for the request envelope.</param>
/// <param name="ApiBaseUrl">Copilot: <c>endpoints.api</c> of the token answer, when given.</param>
public sealed record UpstreamCredential(string AccessToken, DateTimeOffset? ExpiresAt, string? AccountId, string? ProjectId, string? ApiBaseUrl)
{
    public override string ToString() =>
        $"UpstreamCredential {{ AccessToken = <redacted>, ExpiresAt = {ExpiresAt}, AccountId = {AccountId}, ProjectId = {ProjectId}, ApiBaseUrl = {ApiBaseUrl} }}";
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
