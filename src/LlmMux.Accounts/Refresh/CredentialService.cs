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

    /// <summary>After a failed refresh (not invalid_grant), no new attempt for this long (default 30 s).</summary>
    public TimeSpan FailureBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Hands out upstream tokens for the accounts of an <see cref="AccountStore"/>, refreshing them ahead of expiry.
/// Refresh is single-flight per account: concurrent callers share one refresh, the refresh runs to completion even
/// when a caller gives up, and the rotated refresh token is written to the account file before the new access token
/// is handed out. A refresh rejected with <c>invalid_grant</c> marks the file <c>"llm_mux_state": "expired"</c>.
/// Copilot: the stored GitHub token is exchanged for a Copilot token that is cached in memory only.
/// </summary>
public sealed class CredentialService : ICredentialProvider, IDisposable
{
    private readonly AccountStore _store;
    private readonly HttpClient _http;
    private readonly Func<string, OAuthSettings> _settings;
    private readonly CredentialOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <param name="store">The loaded auth dir.</param>
    /// <param name="http">Client for token endpoints (the host may add a resilience handler).</param>
    /// <param name="settings">OAuth settings per account type (default: <see cref="OAuthSettings.Defaults"/>).</param>
    /// <param name="options">Refresh lead and background period.</param>
    /// <param name="logger">Optional logger; lines name accounts, never tokens.</param>
    /// <param name="time">Clock (tests use a manual one).</param>
    public CredentialService(
        AccountStore store,
        HttpClient http,
        Func<string, OAuthSettings>? settings = null,
        CredentialOptions? options = null,
        ILogger<CredentialService>? logger = null,
        TimeProvider? time = null)
    {
        _store = store;
        _http = http;
        _settings = settings ?? OAuthSettings.Defaults;
        _options = options ?? new CredentialOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<UpstreamCredential> GetAsync(string accountId, CancellationToken ct) =>
        EnsureFreshAsync(accountId, TimeSpan.Zero, ct);

    /// <inheritdoc />
    public async ValueTask<UpstreamCredential> RefreshAsync(string accountId, string rejectedAccessToken, CancellationToken ct)
    {
        var (account, file) = Resolve(accountId);
        var slot = SlotOf(accountId);
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
                task = StartRefreshLocked(accountId, slot, forced: true, account, file);
            }
        }

        return await task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One background pass: refreshes every ready account whose token expires within the refresh lead plus one
    /// background period (so requests rarely wait), and cached Copilot tokens that are due. Returns how many
    /// accounts were refreshed. Failures are logged, not thrown.
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

            var due = account.Type == AccountTypes.Copilot
                ? _slots.TryGetValue(account.Id, out var slot) && slot.Copilot is { } c && _time.GetUtcNow() >= c.Token.RefreshAt - extra
                : IsPast(account.Expiry, _options.RefreshLead + extra);
            if (!due)
            {
                continue;
            }

            try
            {
                await EnsureFreshAsync(account.Id, extra, ct).ConfigureAwait(false);
                refreshed++;
            }
            catch (AccountUnavailableException e)
            {
                Log.RefreshFailed(_logger, account.Id, e.Reason.ToString());
            }
        }

        return refreshed;
    }

    /// <summary>Runs <see cref="RefreshDueAsync"/> every background period until cancelled (host it in a background service).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RefreshDueAsync(ct).ConfigureAwait(false);
                await Task.Delay(_options.BackgroundInterval, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Log.BackgroundPassFailed(_logger, e.GetType().Name);
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

    private int _disposed;

    private async ValueTask<UpstreamCredential> EnsureFreshAsync(string accountId, TimeSpan extra, CancellationToken ct)
    {
        var (account, file) = Resolve(accountId);
        var slot = SlotOf(accountId);
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
                (account, file) = Resolve(accountId);
                if (Fresh(account, file, slot, extra) is { } nowFresh)
                {
                    return nowFresh;
                }

                task = StartRefreshLocked(accountId, slot, forced: false, account, file);
            }
        }

        return await task.WaitAsync(ct).ConfigureAwait(false);
    }

    private Task<UpstreamCredential> StartRefreshLocked(string accountId, Slot slot, bool forced, Account account, AccountFile file)
    {
        if (_time.GetUtcNow() < slot.RetryAfter)
        {
            // The last attempt failed moments ago: do not hammer the token endpoint on every request.
            return !forced && Current(account, file, slot) is { ExpiresAt: not null } current && !IsPast(current.ExpiresAt, TimeSpan.Zero)
                ? Task.FromResult(current)
                : Task.FromException<UpstreamCredential>(new AccountUnavailableException(
                    accountId, AccountUnavailableReason.RefreshFailed, $"Refreshing account '{accountId}' failed recently; retrying after {slot.RetryAfter:u}."));
        }

        // Runs on the service's lifetime token, not a caller's: a rotated refresh token must be persisted even
        // when the request that triggered the refresh is cancelled.
        var task = Task.Run(() => RefreshCoreAsync(accountId, slot, forced, _lifetime.Token), CancellationToken.None);
        slot.InFlight = task;
        return task;
    }

    private async Task<UpstreamCredential> RefreshCoreAsync(string accountId, Slot slot, bool forced, CancellationToken ct)
    {
        var (account, file) = Resolve(accountId);
        var settings = _settings(account.Type);
        try
        {
            if (account.Type == AccountTypes.Copilot)
            {
                var gitHubToken = file.AccessToken!;
                var token = await CopilotProvider.ExchangeAsync(_http, settings, gitHubToken, _options.RefreshLead, _time.GetUtcNow(), ct).ConfigureAwait(false);
                slot.Copilot = new CachedCopilot(token, gitHubToken);
                Log.CopilotTokenExchanged(_logger, accountId, token.ExpiresAt);
                return new UpstreamCredential(token.Token, token.ExpiresAt, null, null, token.ApiBaseUrl);
            }

            var refreshToken = account.Type == AccountTypes.Gemini ? file.Token?.RefreshToken : file.RefreshToken;
            if (string.IsNullOrEmpty(refreshToken))
            {
                throw new AccountUnavailableException(accountId, AccountUnavailableReason.Expired, $"Account '{accountId}' has no refresh token; run 'llm-mux login {account.Type}'.");
            }

            var grant = account.Type switch
            {
                AccountTypes.Claude => await ClaudeProvider.RefreshAsync(_http, settings, refreshToken, ct).ConfigureAwait(false),
                AccountTypes.Codex => await CodexProvider.RefreshAsync(_http, settings, refreshToken, ct).ConfigureAwait(false),
                _ => await GeminiProvider.RefreshAsync(_http, settings, refreshToken, ct).ConfigureAwait(false),
            };
            var now = _time.GetUtcNow();

            // Persist first: after a rotation the old refresh token is dead, so the file must hold the new one
            // before anyone can use the new access token (or the process can die).
            Account updated;
            try
            {
                updated = await _store.UpdateAsync(accountId, f => account.Type switch
                {
                    AccountTypes.Codex => CodexProvider.Apply(grant, f, now),
                    AccountTypes.Gemini => grant.ApplyGemini(f, now),
                    _ => grant.ApplyFlat(f, now),
                }, ct).ConfigureAwait(false);
            }
            catch (KeyNotFoundException e)
            {
                throw new AccountUnavailableException(accountId, AccountUnavailableReason.NotFound, $"Account '{accountId}' was removed during its refresh.", e);
            }

            Log.Refreshed(_logger, accountId, updated.Expiry);
            return Current(updated, _store.GetFile(accountId)!, slot)
                ?? throw new AccountUnavailableException(accountId, AccountUnavailableReason.RefreshFailed, $"Account '{accountId}' has no access token after its refresh.");
        }
        catch (OAuthException e) when (e.IsInvalidGrant || (account.Type == AccountTypes.Copilot && e.StatusCode == 401))
        {
            await MarkExpiredAsync(accountId, account.Type, e.Error ?? $"HTTP {e.StatusCode}").ConfigureAwait(false);
            slot.Copilot = null;
            throw new AccountUnavailableException(accountId, AccountUnavailableReason.Expired, $"Account '{accountId}' was rejected by its provider ({e.Error ?? "unauthorized"}); run 'llm-mux login {account.Type}'.", e);
        }
        catch (OAuthException e)
        {
            Log.RefreshFailed(_logger, accountId, e.Message);
            slot.RetryAfter = _time.GetUtcNow() + _options.FailureBackoff;

            // A transient failure while the old token still works: keep serving it (not after a 401 though).
            if (!forced && Current(account, file, slot) is { } current && !IsPast(current.ExpiresAt, TimeSpan.Zero)
                && current.ExpiresAt is not null)
            {
                return current;
            }

            throw new AccountUnavailableException(accountId, AccountUnavailableReason.RefreshFailed, $"Refreshing account '{accountId}' failed: {e.Message}", e);
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
            _ => (account, file),
        };
    }

    /// <summary>The current token when it stays usable for the refresh lead plus <paramref name="extra"/>; else null.</summary>
    private UpstreamCredential? Fresh(Account account, AccountFile file, Slot slot, TimeSpan extra)
    {
        var current = Current(account, file, slot);
        if (current is null)
        {
            return null;
        }

        if (account.Type == AccountTypes.Copilot)
        {
            return _time.GetUtcNow() < slot.Copilot!.Token.RefreshAt - extra ? current : null;
        }

        // Unknown expiry: use the token until upstream rejects it (then RefreshAsync).
        return IsPast(current.ExpiresAt, _options.RefreshLead + extra) ? null : current;
    }

    /// <summary>The token we have now, fresh or not; null when there is none (copilot: nothing cached for this GitHub token).</summary>
    private static UpstreamCredential? Current(Account account, AccountFile file, Slot slot)
    {
        switch (account.Type)
        {
            case AccountTypes.Copilot:
                return slot.Copilot is { } cached && string.Equals(cached.GitHubToken, file.AccessToken, StringComparison.Ordinal)
                    ? new UpstreamCredential(cached.Token.Token, cached.Token.ExpiresAt, null, null, cached.Token.ApiBaseUrl)
                    : null;
            case AccountTypes.Gemini:
                return string.IsNullOrEmpty(file.Token?.AccessToken) ? null : new UpstreamCredential(file.Token.AccessToken, account.Expiry, null, account.ProjectId, null);
            default:
                return string.IsNullOrEmpty(file.AccessToken) ? null : new UpstreamCredential(file.AccessToken, account.Expiry, account.ChatGptAccountId, null, null);
        }
    }

    private bool IsPast(DateTimeOffset? expiresAt, TimeSpan lead) => expiresAt is { } at && at - lead <= _time.GetUtcNow();

    private Slot SlotOf(string accountId) => _slots.GetOrAdd(accountId, static _ => new Slot());

    private sealed class Slot
    {
        public Lock Gate { get; } = new();

        public Task<UpstreamCredential>? InFlight { get; set; }

        public CachedCopilot? Copilot { get; set; }

        public DateTimeOffset RetryAfter { get; set; }
    }

    private sealed record CachedCopilot(CopilotToken Token, string GitHubToken)
    {
        public override string ToString() => "CachedCopilot { redacted }";
    }
}
