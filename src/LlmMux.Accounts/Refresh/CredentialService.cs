using System.Collections.Concurrent;
using LlmMux.Accounts.Logging;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Accounts.Refresh;

/// <summary>Tuning of <see cref="CredentialService"/>.</summary>
public sealed record CredentialOptions
{
    /// <summary>A token closer than this to its expiry is refreshed before use (default 5 min).</summary>
    public TimeSpan RefreshLead { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Period of the background pass of <see cref="CredentialService.RunAsync"/> (default 1 min).</summary>
    public TimeSpan BackgroundInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After a failed refresh (not invalid_grant), no new attempt for this long (default 30 s); doubles with each failure in a row.</summary>
    public TimeSpan FailureBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest back-off after failures in a row (default 10 min).</summary>
    public TimeSpan MaxFailureBackoff { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a refresh waits for another process's lock on the same account file (default 5 s).</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Hands out upstream tokens for the accounts of an <see cref="AccountStore"/>, refreshing them ahead of expiry.
/// Refresh is single-flight per account: concurrent callers share one refresh, the refresh runs to completion even
/// when a caller gives up, and the rotated refresh token is written to the account file before the new access token
/// is handed out. When that write fails the new grant is kept in memory, used, and written again on every background
/// pass and before the next refresh. A refresh holds <c>&lt;file&gt;.lock</c> so that llm-mux processes sharing the
/// auth dir never spend the same rotating token twice, and re-reads the file under it. A refresh rejected with
/// <c>invalid_grant</c> marks the file <c>"llm_mux_state": "expired"</c>; any other failure backs off exponentially
/// and surfaces as <see cref="AccountUnavailableException"/> (<see cref="AccountUnavailableReason.RefreshFailed"/>),
/// never as a raw exception. A provider that exchanges its stored token (Copilot) gets a short-lived token cached in memory only.
/// </summary>
public sealed class CredentialService : ICredentialProvider, IDisposable
{
    private readonly AccountStore _store;
    private readonly HttpClient _http;
    private readonly Func<string, OAuthSettings> _settings;
    private readonly CredentialOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IRefreshCoordinator _coordinator;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<string, CredentialSlot> _slots = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="store">The loaded auth dir.</param>
    /// <param name="http">Client for token endpoints (the host may add a resilience handler).</param>
    /// <param name="settings">OAuth settings per account type (default: each provider's <see cref="ISubscriptionProvider.DefaultOAuth"/>).</param>
    /// <param name="options">Refresh lead, background period and back-off.</param>
    /// <param name="logger">Optional logger; lines name accounts, never tokens.</param>
    /// <param name="time">Clock (tests use a manual one).</param>
    /// <param name="coordinator">Who may refresh an account now (default: the account file's lock, <see cref="FileRefreshCoordinator"/>).</param>
    public CredentialService(
        AccountStore store,
        HttpClient http,
        Func<string, OAuthSettings>? settings = null,
        CredentialOptions? options = null,
        ILogger<CredentialService>? logger = null,
        TimeProvider? time = null,
        IRefreshCoordinator? coordinator = null)
    {
        _coordinator = coordinator ?? new FileRefreshCoordinator(store);
        _store = store;
        _http = http;
        _settings = settings ?? store.Providers.DefaultOAuth;
        _options = options ?? new CredentialOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    private enum Mode
    {
        /// <summary>The token is (nearly) due: on a transient failure a still-valid token keeps being served.</summary>
        Due,

        /// <summary>Upstream rejected the token (401): only a new one helps.</summary>
        Forced,

        /// <summary>Only write a pending grant; no refresh.</summary>
        PersistOnly,
    }

    /// <inheritdoc />
    public ValueTask<UpstreamCredential> GetAsync(string accountId, CancellationToken ct) =>
        EnsureFreshAsync(accountId, TimeSpan.Zero, ct);

    /// <inheritdoc />
    public async ValueTask<UpstreamCredential> RefreshAsync(string accountId, string rejectedAccessToken, CancellationToken ct)
    {
        var slot = SlotOf(accountId);
        var (account, file) = View(accountId, slot);
        Task<UpstreamCredential> task;
        lock (slot.Gate)
        {
            if (slot.InFlight is { IsCompleted: false } running)
            {
                task = running;
            }
            else if (Current(account, file, slot) is { } current
                && !string.Equals(current.AccessToken, rejectedAccessToken, StringComparison.Ordinal)
                && !IsPast(current.ExpiresAt, TimeSpan.Zero))
            {
                // Someone refreshed since the request went out: use the newer token, no second refresh.
                return current;
            }
            else
            {
                task = StartLocked(accountId, slot, Mode.Forced, account, file);
            }
        }

        return await task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// How the refresh of an account is going: last failure, when, next attempt, and whether a rotated token waits to
    /// be written. Null when nothing has been attempted for it in this process.
    /// </summary>
    public RefreshStatus? GetRefreshStatus(string accountId)
    {
        if (!_slots.TryGetValue(accountId, out var slot))
        {
            return null;
        }

        var health = slot.Health;
        var pending = slot.Pending is not null;
        if (health == RefreshHealth.None && !pending)
        {
            return null;
        }

        DateTimeOffset? retry = health.RetryAfter > _time.GetUtcNow() ? health.RetryAfter : null;
        return new RefreshStatus(health.LastSuccessAt, health.LastFailure, health.FailedAt, retry, health.Failures, pending);
    }

    /// <summary>
    /// One background pass: writes rotated grants still pending, and refreshes every ready account whose token expires
    /// within the refresh lead plus one background period (so requests rarely wait), and cached Copilot tokens that
    /// are due; accounts backing off after a failure are left alone. Returns how many accounts were refreshed.
    /// Failures are logged, never thrown (only cancellation of <paramref name="ct"/> ends the pass early).
    /// </summary>
    public async Task<int> RefreshDueAsync(CancellationToken ct = default)
    {
        var extra = _options.BackgroundInterval;
        var refreshed = 0;
        foreach (var account in _store.Accounts)
        {
            if (account.State != AccountState.Ready)
            {
                continue;
            }

            try
            {
                var slot = SlotOf(account.Id);
                if (slot.Pending is not null)
                {
                    await StartAsync(account.Id, slot, Mode.PersistOnly).WaitAsync(ct).ConfigureAwait(false);
                }

                if (_time.GetUtcNow() < slot.Health.RetryAfter || !IsDue(account.Id, slot, extra))
                {
                    continue;
                }

                await EnsureFreshAsync(account.Id, extra, ct).ConfigureAwait(false);
                refreshed++;
            }
            catch (AccountUnavailableException e)
            {
                Log.RefreshFailed(_logger, account.Id, e.Reason.ToString());
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // RefreshCoreAsync wraps its failures; this is the backstop that keeps one account from ending the pass.
                Log.RefreshFailed(_logger, account.Id, "unexpected " + e.GetType().Name);
            }
        }

        return refreshed;
    }

    /// <summary>
    /// Runs <see cref="RefreshDueAsync"/> every background period until cancelled (host it in a background service).
    /// Never throws: a failed pass is logged and the next one comes one period later.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RefreshDueAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.BackgroundPassFailed(_logger, e.GetType().Name);
            }

            try
            {
                await Task.Delay(_options.BackgroundInterval, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        // Idempotent: a host may hold this service under two registrations and dispose both.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private async ValueTask<UpstreamCredential> EnsureFreshAsync(string accountId, TimeSpan extra, CancellationToken ct)
    {
        var slot = SlotOf(accountId);
        var (account, file) = View(accountId, slot);
        if (Fresh(account, file, slot, extra) is { } fresh)
        {
            return fresh;
        }

        Task<UpstreamCredential> task;
        lock (slot.Gate)
        {
            if (slot.InFlight is { IsCompleted: false } running)
            {
                task = running;
            }
            else
            {
                // Re-check under the lock: a refresh may have completed since the first look.
                (account, file) = View(accountId, slot);
                if (Fresh(account, file, slot, extra) is { } nowFresh)
                {
                    return nowFresh;
                }

                task = StartLocked(accountId, slot, Mode.Due, account, file);
            }
        }

        return await task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Joins the running refresh of the account, or starts <paramref name="mode"/>.</summary>
    private Task<UpstreamCredential> StartAsync(string accountId, CredentialSlot slot, Mode mode)
    {
        var (account, file) = View(accountId, slot);
        lock (slot.Gate)
        {
            return slot.InFlight is { IsCompleted: false } running ? running : StartLocked(accountId, slot, mode, account, file);
        }
    }

    private Task<UpstreamCredential> StartLocked(string accountId, CredentialSlot slot, Mode mode, Account account, AccountFile file)
    {
        if (mode != Mode.PersistOnly && _time.GetUtcNow() < slot.Health.RetryAfter)
        {
            // The last attempt failed moments ago: do not hammer the token endpoint on every request.
            return mode == Mode.Due && Current(account, file, slot) is { ExpiresAt: not null } current && !IsPast(current.ExpiresAt, TimeSpan.Zero)
                ? Task.FromResult(current)
                : Task.FromException<UpstreamCredential>(new AccountUnavailableException(
                    accountId, AccountUnavailableReason.RefreshFailed, $"Refreshing account '{accountId}' failed recently; retrying after {slot.Health.RetryAfter:u}."));
        }

        // Runs on the service's lifetime token, not a caller's: a rotated refresh token must be persisted even
        // when the request that triggered the refresh is cancelled.
        var task = Task.Run(() => RefreshCoreAsync(accountId, slot, mode, (account, file), _lifetime.Token), CancellationToken.None);
        slot.InFlight = task;
        return task;
    }

    /// <param name="basis">The account as it was when the refresh was decided on.</param>
    private async Task<UpstreamCredential> RefreshCoreAsync(string accountId, CredentialSlot slot, Mode mode, (Account Account, AccountFile File) basis, CancellationToken ct)
    {
        var account = basis.Account;
        var provider = ProviderOf(account);
        try
        {
            if (provider is TokenExchangeProvider exchange)
            {
                return await ExchangeAsync(exchange, accountId, slot, ct).ConfigureAwait(false);
            }

            await using var lease = await _coordinator.AcquireAsync(accountId, _options.LockWait, ct).ConfigureAwait(false);
            if (!lease.Held)
            {
                Log.RefreshingUnlocked(_logger, accountId);
            }

            return await RefreshLockedAsync((RefreshTokenProvider)provider, accountId, slot, mode, basis, lease, ct).ConfigureAwait(false);
        }
        catch (OAuthException e) when (e.IsInvalidGrant || (provider is TokenExchangeProvider && e.StatusCode == 401))
        {
            await MarkExpiredAsync(accountId, account.Type, e.Error ?? $"HTTP {e.StatusCode}").ConfigureAwait(false);
            slot.Exchanged = null;
            slot.Pending = null;
            throw new AccountUnavailableException(accountId, AccountUnavailableReason.Expired, $"Account '{accountId}' was rejected by its provider ({e.Error ?? "unauthorized"}); run 'llm-mux login {account.Type}'.", e);
        }
        catch (AccountUnavailableException)
        {
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Anything else — a network or timeout failure (OAuthHttp makes those OAuthExceptions), a lock held too
            // long by another process, an answer we could not use — may pass: back off, and let callers fail over.
            var reason = e switch
            {
                OAuthException => e.Message,
                TimeoutException => "another llm-mux process is refreshing this account",
                _ => "unexpected " + e.GetType().Name,
            };
            var health = slot.Health.Failed(reason, _time.GetUtcNow(), _options.FailureBackoff, _options.MaxFailureBackoff);
            slot.Health = health;
            Log.RefreshBackingOff(_logger, accountId, reason, health.RetryAfter);

            // A transient failure while the old token still works: keep serving it (not after a 401 though).
            var (nowAccount, nowFile) = View(accountId, slot);
            if (mode != Mode.Forced && Current(nowAccount, nowFile, slot) is { ExpiresAt: not null } current && !IsPast(current.ExpiresAt, TimeSpan.Zero))
            {
                return current;
            }

            throw new AccountUnavailableException(accountId, AccountUnavailableReason.RefreshFailed, $"Refreshing account '{accountId}' failed: {reason}", e);
        }
    }

    private async Task<UpstreamCredential> ExchangeAsync(TokenExchangeProvider provider, string accountId, CredentialSlot slot, CancellationToken ct)
    {
        var (account, file) = Resolve(accountId);
        var storedToken = provider.StoredToken(file)!;
        var token = await provider.ExchangeAsync(_http, _settings(account.Type), file, _options.RefreshLead, _time.GetUtcNow(), ct).ConfigureAwait(false);
        slot.Exchanged = new CachedExchange(token, storedToken);
        slot.Health = RefreshHealth.Succeeded(_time.GetUtcNow());
        Log.TokenExchanged(_logger, accountId, token.ExpiresAt);
        return Exchanged(token, account);
    }

    /// <summary>Refresh and persist of an account with a refresh token, with the account file's lock held.</summary>
    private async Task<UpstreamCredential> RefreshLockedAsync(RefreshTokenProvider provider, string accountId, CredentialSlot slot, Mode mode, (Account Account, AccountFile File) basis, IRefreshLease lease, CancellationToken ct)
    {
        // A grant from an earlier refresh that could not be written: write it first — its refresh token is the live one.
        if (slot.Pending is { } pending)
        {
            if (await TryPersistAsync(provider, accountId, slot, pending, afterFailure: true, ct).ConfigureAwait(false))
            {
                await lease.PublishAsync(ct).ConfigureAwait(false);
            }
        }
        else if (mode != Mode.PersistOnly && await PullAndReloadAsync(accountId, lease, ct).ConfigureAwait(false) is not null)
        {
            // Another process may have refreshed while we waited for the lock (or before the watcher noticed):
            // its token is good, and our refresh token is spent.
            var (known, knownFile) = Resolve(accountId);
            if (RefreshedElsewhere(provider, mode, basis, known, knownFile, slot) is { } theirs)
            {
                slot.Health = RefreshHealth.Succeeded(_time.GetUtcNow());
                Log.RefreshedElsewhere(_logger, accountId);
                return theirs;
            }
        }

        var (account, file) = View(accountId, slot);
        if (mode == Mode.PersistOnly)
        {
            return Current(account, file, slot)
                ?? throw new AccountUnavailableException(accountId, AccountUnavailableReason.RefreshFailed, $"Account '{accountId}' has no access token.");
        }

        var refreshToken = provider.RefreshToken(file);
        if (string.IsNullOrEmpty(refreshToken))
        {
            throw new AccountUnavailableException(accountId, AccountUnavailableReason.Expired, $"Account '{accountId}' has no refresh token; run 'llm-mux login {account.Type}'.");
        }

        var grant = await provider.RefreshAsync(_http, _settings(account.Type), refreshToken, ct).ConfigureAwait(false);

        // From here the old refresh token may be dead: the grant lives in the slot until the file holds it, so a
        // failed write loses nothing. Persist before handing out the new access token (or the process can die).
        var issued = new PendingGrant(grant, _time.GetUtcNow());
        slot.Pending = issued;
        if (await TryPersistAsync(provider, accountId, slot, issued, afterFailure: false, ct).ConfigureAwait(false))
        {
            // The others pull it at once; until they do, the shared copy's refresh token is spent.
            await lease.PublishAsync(ct).ConfigureAwait(false);
        }

        slot.Health = RefreshHealth.Succeeded(issued.IssuedAt);

        (account, file) = View(accountId, slot);
        Log.Refreshed(_logger, accountId, account.Expiry);
        return Current(account, file, slot)
            ?? throw new AccountUnavailableException(accountId, AccountUnavailableReason.RefreshFailed, $"Account '{accountId}' has no access token after its refresh.");
    }

    /// <summary>The shared copy pulled into the auth dir (when there is one), then the account's file re-read.</summary>
    private async Task<Account?> PullAndReloadAsync(string accountId, IRefreshLease lease, CancellationToken ct)
    {
        await lease.PullAsync(ct).ConfigureAwait(false);
        return await _store.ReloadAsync(accountId, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The account file (just re-read) holds a grant another process got — its refresh token or expiry differs from
    /// what the refresh was decided on — and its token is usable for what <paramref name="mode"/> needs; else null.
    /// </summary>
    private UpstreamCredential? RefreshedElsewhere(RefreshTokenProvider provider, Mode mode, (Account Account, AccountFile File) basis, Account account, AccountFile onDisk, CredentialSlot slot)
    {
        var changed = !string.Equals(provider.RefreshToken(basis.File), provider.RefreshToken(onDisk), StringComparison.Ordinal)
            || basis.Account.Expiry != account.Expiry;
        return changed && Current(account, onDisk, slot) is { } theirs && !IsPast(theirs.ExpiresAt, mode == Mode.Forced ? TimeSpan.Zero : _options.RefreshLead)
            ? theirs
            : null;
    }

    /// <summary>Writes a pending grant into the account file (re-read, so others' edits are kept). False when the write failed.</summary>
    private async Task<bool> TryPersistAsync(RefreshTokenProvider provider, string accountId, CredentialSlot slot, PendingGrant pending, bool afterFailure, CancellationToken ct)
    {
        try
        {
            await _store.UpdateAsync(accountId, f => provider.Apply(pending.Grant, f, pending.IssuedAt), ct).ConfigureAwait(false);
        }
        catch (KeyNotFoundException e)
        {
            slot.Pending = null;
            throw new AccountUnavailableException(accountId, AccountUnavailableReason.NotFound, $"Account '{accountId}' was removed during its refresh.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.RotatedTokenNotPersisted(_logger, accountId, e.GetType().Name);
            return false;
        }

        if (ReferenceEquals(slot.Pending, pending))
        {
            slot.Pending = null;
        }

        if (afterFailure)
        {
            Log.RotatedTokenPersisted(_logger, accountId);
        }

        return true;
    }

    /// <inheritdoc />
    public async Task RetireAsync(string accountId, string reason, CancellationToken ct)
    {
        Log.MarkedRetired(_logger, accountId, reason);
        try
        {
            await _store.UpdateAsync(accountId, f => f with { State = AccountFile.RetiredState, StateReason = reason }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeyNotFoundException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.RefreshFailed(_logger, accountId, "could not mark the account retired: " + e.GetType().Name);
        }
    }

    private async Task MarkExpiredAsync(string accountId, string type, string reason)
    {
        Log.MarkedExpired(_logger, accountId, reason, type);
        try
        {
            await _store.UpdateAsync(accountId, f => f with { State = AccountFile.ExpiredState }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeyNotFoundException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.RefreshFailed(_logger, accountId, "could not mark the account expired: " + e.GetType().Name);
        }
    }

    private SubscriptionProvider ProviderOf(Account account) => _store.Providers.Require(account.Type);

    private (Account Account, AccountFile File) Resolve(string accountId)
    {
        var account = _store.Find(accountId);
        var file = _store.GetFile(accountId);
        if (account is null || file is null)
        {
            throw new AccountUnavailableException(accountId, AccountUnavailableReason.NotFound, $"No account '{accountId}'.");
        }

        return account.State switch
        {
            AccountState.Disabled => throw new AccountUnavailableException(accountId, AccountUnavailableReason.Disabled, $"Account '{accountId}' is disabled."),
            AccountState.Expired => throw new AccountUnavailableException(accountId, AccountUnavailableReason.Expired, $"Account '{accountId}' is expired; run 'llm-mux login {account.Type}'."),
            AccountState.Retired => throw new AccountUnavailableException(accountId, AccountUnavailableReason.Retired, $"Account '{accountId}' is retired: {account.StateReason}"),
            _ => (account, file),
        };
    }

    /// <summary>The account as the store has it, with a grant that is not on disk yet laid over it.</summary>
    private (Account Account, AccountFile File) View(string accountId, CredentialSlot slot)
    {
        var (account, file) = Resolve(accountId);
        if (slot.Pending is not { } pending || ProviderOf(account) is not RefreshTokenProvider provider)
        {
            return (account, file);
        }

        var applied = provider.Apply(pending.Grant, file, pending.IssuedAt);
        return (AccountFiles.ToAccount(accountId, provider, applied), applied);
    }

    private bool IsDue(string accountId, CredentialSlot slot, TimeSpan extra)
    {
        var (account, _) = View(accountId, slot);
        return ProviderOf(account) is TokenExchangeProvider
            ? slot.Exchanged is { } c && _time.GetUtcNow() >= c.Token.RefreshAt - extra
            : IsPast(account.Expiry, _options.RefreshLead + extra);
    }

    /// <summary>The current token when it stays usable for the refresh lead plus <paramref name="extra"/>; else null.</summary>
    private UpstreamCredential? Fresh(Account account, AccountFile file, CredentialSlot slot, TimeSpan extra)
    {
        var current = Current(account, file, slot);
        if (current is null)
        {
            return null;
        }

        if (ProviderOf(account) is TokenExchangeProvider)
        {
            return _time.GetUtcNow() < slot.Exchanged!.Token.RefreshAt - extra ? current : null;
        }

        // Unknown expiry: use the token until upstream rejects it (then RefreshAsync).
        return IsPast(current.ExpiresAt, _options.RefreshLead + extra) ? null : current;
    }

    /// <summary>The token we have now, fresh or not; null when there is none (an exchange: nothing cached for the stored token).</summary>
    private UpstreamCredential? Current(Account account, AccountFile file, CredentialSlot slot) => ProviderOf(account) switch
    {
        TokenExchangeProvider exchange => slot.Exchanged is { } cached && string.Equals(cached.StoredToken, exchange.StoredToken(file), StringComparison.Ordinal)
            ? Exchanged(cached.Token, account)
            : null,
        RefreshTokenProvider refresh => refresh.Credential(account, file),
        var other => throw new InvalidOperationException($"Provider '{other.Type}' renews its tokens in no way this service knows."),
    };

    private static UpstreamCredential Exchanged(ExchangedToken token, Account account) =>
        new(token.Token, token.ExpiresAt) { BaseUrl = token.BaseUrl, Details = account.Details };

    private bool IsPast(DateTimeOffset? expiresAt, TimeSpan lead) => expiresAt is { } at && at - lead <= _time.GetUtcNow();

    private CredentialSlot SlotOf(string accountId) => _slots.GetOrAdd(accountId, static _ => new CredentialSlot());
}
