namespace LlmMux.Gateway.Management;

/// <summary>How the last token refreshes of a login account went, in this process; null until one was tried.</summary>
/// <param name="LastFailure">Step, HTTP status or provider error code of the last failure; never a token.</param>
/// <param name="NextRetryAt">When the background pass tries again, while it backs off.</param>
/// <param name="RotatedTokenNotPersisted">The provider rotated the refresh token but writing it to the account file failed: it is kept in memory and the write retried.</param>
internal sealed record RefreshView(DateTimeOffset? LastSuccessAt, string? LastFailure, DateTimeOffset? FailedAt, DateTimeOffset? NextRetryAt, int ConsecutiveFailures, bool RotatedTokenNotPersisted)
{
    public static RefreshView? Of(LlmMux.Accounts.Refresh.RefreshStatus? status) => status is null
        ? null
        : new(status.LastSuccessAt, status.LastFailure, status.FailedAt, status.NextRetryAt, status.ConsecutiveFailures, status.RotatedTokenNotPersisted);
}
