namespace LlmMux.Accounts.Refresh;

/// <summary>
/// How the token refresh of one account is going, for the management API. Never carries a token.
/// </summary>
/// <param name="LastSuccessAt">When a refresh (or Copilot token exchange) last succeeded in this process.</param>
/// <param name="LastFailure">Why the last attempt failed (step, HTTP status, provider error code); null after a success.</param>
/// <param name="FailedAt">When that attempt failed.</param>
/// <param name="NextRetryAt">No new attempt before this (exponential back-off); null when not backing off.</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last success.</param>
/// <param name="RotatedTokenNotPersisted">A rotated refresh token is held in memory only, because writing the account file failed; the write is retried.</param>
public sealed record RefreshStatus(
    DateTimeOffset? LastSuccessAt,
    string? LastFailure,
    DateTimeOffset? FailedAt,
    DateTimeOffset? NextRetryAt,
    int ConsecutiveFailures,
    bool RotatedTokenNotPersisted);
