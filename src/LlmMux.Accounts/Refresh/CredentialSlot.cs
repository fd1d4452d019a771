using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Refresh;

/// <summary>What <see cref="CredentialService"/> keeps in memory for one account.</summary>
internal sealed class CredentialSlot
{
    public Lock Gate { get; } = new();

    /// <summary>The one refresh (or persist retry) running for this account; callers share it.</summary>
    public Task<UpstreamCredential>? InFlight { get; set; }

    /// <summary>The short-lived token of a token-exchange provider, for the stored token it was exchanged with.</summary>
    public CachedExchange? Exchanged { get; set; }

    /// <summary>
    /// A grant the provider issued whose write to the account file failed. Until a write succeeds it is the account's
    /// truth: its access token is handed out and its refresh token is the one the next refresh presents (the one on
    /// disk may already be dead after a rotation).
    /// </summary>
    public PendingGrant? Pending { get; set; }

    /// <summary>Replaced as a whole, so readers never see half an update.</summary>
    public RefreshHealth Health { get; set; } = RefreshHealth.None;
}

/// <summary>A rotated grant not yet on disk. Holds secrets: <see cref="ToString"/> is redacted.</summary>
internal sealed record PendingGrant(TokenGrant Grant, DateTimeOffset IssuedAt)
{
    public override string ToString() => $"PendingGrant {{ IssuedAt = {IssuedAt} }}";
}

/// <summary>An exchanged token cached for the stored token it was exchanged with. <see cref="ToString"/> is redacted.</summary>
internal sealed record CachedExchange(ExchangedToken Token, string StoredToken)
{
    public override string ToString() => "CachedExchange { redacted }";
}

/// <summary>Outcome of the recent refresh attempts of one account; drives the back-off and <see cref="RefreshStatus"/>.</summary>
internal sealed record RefreshHealth(int Failures, string? LastFailure, DateTimeOffset? FailedAt, DateTimeOffset RetryAfter, DateTimeOffset? LastSuccessAt)
{
    public static RefreshHealth None { get; } = new(0, null, null, default, null);

    public static RefreshHealth Succeeded(DateTimeOffset now) => new(0, null, null, default, now);

    /// <summary>The back-off doubles with each failure in a row, from <paramref name="first"/> up to <paramref name="longest"/>.</summary>
    public RefreshHealth Failed(string reason, DateTimeOffset now, TimeSpan first, TimeSpan longest)
    {
        var failures = Failures + 1;
        var backoff = first;
        for (var i = 1; i < failures && backoff < longest; i++)
        {
            backoff += backoff;
        }

        return new RefreshHealth(failures, reason, now, now + (backoff < longest ? backoff : longest), LastSuccessAt);
    }
}
