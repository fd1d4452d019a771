namespace LlmMux.Accounts.OAuth;

/// <summary>
/// An OAuth step failed. The message names the step, the HTTP status and the provider's short error code — never a
/// token, code or response body.
/// </summary>
public sealed class OAuthException : Exception
{
    public OAuthException(string message)
        : base(message)
    {
    }

    public OAuthException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OAuthException()
    {
    }

    public OAuthException(string message, int? statusCode, string? error)
        : base(message)
    {
        StatusCode = statusCode;
        Error = error;
    }

    /// <summary>HTTP status of the provider's answer, when there was one.</summary>
    public int? StatusCode { get; }

    /// <summary>The provider's OAuth error code (<c>invalid_grant</c>, <c>authorization_pending</c>, …).</summary>
    public string? Error { get; }

    /// <summary>The grant (refresh token, GitHub token) is no longer valid: the account needs a new login.</summary>
    public bool IsInvalidGrant => Error is "invalid_grant" or "refresh_token_expired" or "refresh_token_reused" or "refresh_token_invalidated" or "bad_refresh_token";
}
