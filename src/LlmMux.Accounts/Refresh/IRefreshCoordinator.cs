using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Refresh;

/// <summary>
/// Who may refresh an account now, across every process that holds its credentials. <see cref="CredentialService"/>
/// takes a lease around each refresh: it pulls the shared copy of the account into the auth dir before re-reading its
/// file (another process may have refreshed already), and publishes the file after writing a rotated grant into it.
/// The default, <see cref="FileRefreshCoordinator"/>, locks <c>&lt;account file&gt;.lock</c> for processes that share
/// the auth dir and has nothing to pull or publish; a fleet of replicas plugs in its own (the gateway's Redis one).
/// </summary>
public interface IRefreshCoordinator
{
    /// <summary>
    /// Takes the refresh lock of <paramref name="accountId"/>, waiting up to <paramref name="wait"/> while another
    /// process holds it; throws <see cref="TimeoutException"/> when it is still held after that.
    /// </summary>
    Task<IRefreshLease> AcquireAsync(string accountId, TimeSpan wait, CancellationToken ct);
}

/// <summary>One held refresh lock; disposing releases it.</summary>
public interface IRefreshLease : IAsyncDisposable
{
    /// <summary>False when the refresh runs unlocked (no lock could be taken anywhere; one refresh beats none).</summary>
    bool Held { get; }

    /// <summary>Brings the account's file in the auth dir up to the shared copy, before the service re-reads it. Never throws for a store that is away.</summary>
    Task PullAsync(CancellationToken ct);

    /// <summary>Shares the account's file after a rotated grant was written into it. Never throws for a store that is away.</summary>
    Task PublishAsync(CancellationToken ct);
}

/// <summary>The single-machine coordinator: the account file's OS lock, nothing shared beyond the auth dir.</summary>
public sealed class FileRefreshCoordinator(AccountStore store) : IRefreshCoordinator
{
    /// <inheritdoc />
    public async Task<IRefreshLease> AcquireAsync(string accountId, TimeSpan wait, CancellationToken ct) =>
        new FileLease(await AccountFileLock.AcquireAsync(store.PathOf(accountId), wait, ct).ConfigureAwait(false));

    private sealed class FileLease(AccountFileLock fileLock) : IRefreshLease
    {
        public bool Held => fileLock.Held;

        public Task PullAsync(CancellationToken ct) => Task.CompletedTask;

        public Task PublishAsync(CancellationToken ct) => Task.CompletedTask;

        public ValueTask DisposeAsync()
        {
            fileLock.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
