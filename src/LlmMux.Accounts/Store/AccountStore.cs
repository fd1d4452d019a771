using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Accounts.Logging;
using LlmMux.Accounts.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Accounts.Store;

/// <summary>
/// The auth dir: one JSON file per account (0600, dir 0700), loaded at <see cref="Load"/>, watched for changes
/// (debounced) and rewritten atomically. A file that cannot be served is reported by name and skipped — it is never
/// rewritten or deleted by the store. Thread-safe.
/// </summary>
public sealed class AccountStore : IDisposable
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly ILogger _logger;
    private readonly TimeSpan _debounce;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _timerLock = new();
    private readonly Lock _eventLock = new();
    private readonly Queue<IReadOnlyList<Account>> _pendingEvents = new();
    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private Snapshot _snapshot = new([], []);
    private FileSystemWatcher? _watcher;
    private Timer? _debounceTimer;
    private bool _disposed;

    /// <param name="directory">The auth dir; created (0700) by <see cref="Load"/> when missing.</param>
    /// <param name="logger">Optional logger; lines carry file names, never content.</param>
    /// <param name="debounce">Quiet time after a file-system event before the dir is rescanned (default 200 ms).</param>
    /// <param name="providers">The providers whose files are served (default <see cref="SubscriptionProviders.Default"/>).</param>
    public AccountStore(string directory, ILogger<AccountStore>? logger = null, TimeSpan? debounce = null, SubscriptionProviders? providers = null)
    {
        Providers = providers ?? SubscriptionProviders.Default;
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _debounce = debounce ?? TimeSpan.FromMilliseconds(200);
    }

    /// <summary>The providers this store reads files of; a file of any other type is skipped.</summary>
    public SubscriptionProviders Providers { get; }

    /// <summary>Absolute path of the auth dir.</summary>
    public string Directory { get; }

    /// <summary>Every servable account, ordered by id. Immutable; replaced on change.</summary>
    public IReadOnlyList<Account> Accounts => Volatile.Read(ref _snapshot).Accounts;

    /// <summary>Files present in the dir that are not served (bad JSON, unknown type, missing token), by name.</summary>
    public IReadOnlyList<SkippedFile> SkippedFiles => Volatile.Read(ref _snapshot).Skipped;

    /// <summary>Raised after any change of <see cref="Accounts"/> (own writes and files changed by others alike).</summary>
    public event EventHandler<AccountsChangedEventArgs>? Changed;

    /// <summary>Creates the dir (0700) if needed and loads every file. Safe to call again (rescans).</summary>
    public void Load()
    {
        EnsureDirectory();
        _gate.Wait();
        try
        {
            ScanLocked();
        }
        finally
        {
            _gate.Release();
            RaisePendingEvents();
        }

        Log.AccountsLoaded(_logger, Accounts.Count, SkippedFiles.Count, Directory);
    }

    /// <summary>Starts watching the dir; changes made by others appear in <see cref="Accounts"/> and raise <see cref="Changed"/>.</summary>
    public void StartWatching()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_watcher is not null)
        {
            return;
        }

        EnsureDirectory();
        _debounceTimer = new Timer(_ => _ = RescanInBackgroundAsync(), null, Timeout.Infinite, Timeout.Infinite);
        var watcher = new FileSystemWatcher(Directory, "*" + AccountFiles.Extension)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Created += (_, _) => ScheduleRescan();
        watcher.Changed += (_, _) => ScheduleRescan();
        watcher.Deleted += (_, _) => ScheduleRescan();
        watcher.Renamed += (_, _) => ScheduleRescan();
        watcher.Error += (_, e) =>
        {
            Log.WatcherError(_logger, e.GetException().GetType().Name);
            ScheduleRescan();
        };
        watcher.EnableRaisingEvents = true;
        _watcher = watcher;
    }

    /// <summary>Rescans the dir now (what the watcher does after its debounce).</summary>
    public async Task RescanAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ScanLocked();
        }
        finally
        {
            _gate.Release();
            RaisePendingEvents();
        }
    }

    /// <summary>The account with this id, or null.</summary>
    public Account? Find(string id) => Volatile.Read(ref _entries).TryGetValue(id, out var entry) ? entry.Account : null;

    /// <summary>Deletes the account's file. Returns false when there is no such account.</summary>
    public async Task<bool> RemoveAsync(string id, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_entries.ContainsKey(id))
            {
                return false;
            }

            File.Delete(PathOf(id));
            var entries = new Dictionary<string, Entry>(_entries, StringComparer.Ordinal);
            entries.Remove(id);
            PublishLocked(entries, Volatile.Read(ref _snapshot).Skipped);
            return true;
        }
        finally
        {
            _gate.Release();
            RaisePendingEvents();
        }
    }

    /// <summary>
    /// Adds an account from the content of an account file (an upload): validated like a file in the dir, named
    /// <c>&lt;type&gt;-&lt;identity&gt;.json</c>, written atomically (0600). An existing account of that id is replaced.
    /// Throws <see cref="InvalidOperationException"/> (message safe to show, never the content) when it is not usable.
    /// </summary>
    public Task<Account> ImportAsync(ReadOnlyMemory<byte> json, CancellationToken ct = default)
    {
        if (!AccountFiles.TryParse(Providers, "upload", json.Span, out var file, out var parsed, out var reason))
        {
            throw new InvalidOperationException($"The uploaded account is not usable: {reason}.");
        }

        var identity = parsed!.Identity.Length > 0 ? parsed.Identity : "account";
        return UpsertAsync(AccountFiles.IdFor(Providers.Require(parsed.Type), identity), _ => file!, ct);
    }

    /// <summary>
    /// Writes the content of an account file under <paramref name="id"/> (a copy from another replica), validated like
    /// <see cref="ImportAsync(ReadOnlyMemory{byte}, CancellationToken)"/>; an existing file is replaced.
    /// </summary>
    public Task<Account> PutFileAsync(string id, ReadOnlyMemory<byte> json, CancellationToken ct = default)
    {
        if (!AccountFiles.TryParse(Providers, id, json.Span, out var file, out _, out var reason))
        {
            throw new InvalidOperationException($"The account '{id}' is not usable: {reason}.");
        }

        return UpsertAsync(id, _ => file!, ct);
    }

    /// <summary>Whether <paramref name="id"/> can name a file of the auth dir (no path, no dot file): ids from elsewhere are checked with it.</summary>
    public static bool IsValidId(string id) => AccountFiles.IsValidId(id);

    /// <summary>
    /// The bytes of the account's file as they are on disk now (secrets included: never log them), or null when there
    /// is no such file or it cannot be read.
    /// </summary>
    public byte[]? ReadFileBytes(string id)
    {
        try
        {
            return AccountFiles.IsValidId(id) ? File.ReadAllBytes(PathOf(id)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Sets or clears <c>disabled</c> in the account's file (other fields untouched).</summary>
    public Task<Account> SetDisabledAsync(string id, bool disabled, CancellationToken ct = default) =>
        UpdateAsync(id, f => f with { Disabled = disabled ? true : null }, ct);

    /// <summary>Sets or clears <c>label</c> in the account's file.</summary>
    public Task<Account> SetLabelAsync(string id, string? label, CancellationToken ct = default) =>
        UpdateAsync(id, f => f with { Label = string.IsNullOrWhiteSpace(label) ? null : label }, ct);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _watcher?.Dispose();
        lock (_timerLock)
        {
            _debounceTimer?.Dispose();
        }
    }

    /// <summary>The parsed file of an account, secrets included (for the credential provider).</summary>
    internal AccountFile? GetFile(string id) => Volatile.Read(ref _entries).TryGetValue(id, out var entry) ? entry.File : null;

    internal string PathOf(string id)
    {
        if (!AccountFiles.IsValidId(id))
        {
            throw new ArgumentException("Invalid account id.", nameof(id));
        }

        return Path.Combine(Directory, id + AccountFiles.Extension);
    }

    /// <summary>
    /// Re-reads the account's file from disk (so concurrent edits by others are kept), applies
    /// <paramref name="update"/> and writes the result atomically. Throws <see cref="KeyNotFoundException"/> when the
    /// account does not exist.
    /// </summary>
    internal async Task<Account> UpdateAsync(string id, Func<AccountFile, AccountFile> update, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var current = ReadForUpdateLocked(id) ?? throw new KeyNotFoundException($"No account '{id}'.");
            return await WriteLocked(id, update(current), ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
            RaisePendingEvents();
        }
    }

    /// <summary>
    /// Writes a new account, or merges into the existing file of the same id via <paramref name="merge"/>
    /// (called with the existing file, or null when there is none).
    /// </summary>
    internal async Task<Account> UpsertAsync(string id, Func<AccountFile?, AccountFile> merge, CancellationToken ct = default)
    {
        EnsureDirectory();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await WriteLocked(id, merge(ReadForUpdateLocked(id)), ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
            RaisePendingEvents();
        }
    }

    /// <summary>
    /// Re-reads one account's file now, without waiting for the watcher (another process may have just rewritten it)
    /// and publishes what it holds. Returns null, changing nothing, when the file is gone or cannot be read or parsed.
    /// </summary>
    internal async Task<Account?> ReloadAsync(string id, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var path = PathOf(id);
            byte[] bytes;
            Stamp stamp;
            try
            {
                stamp = Stamp.Of(path);
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (!_entries.ContainsKey(id) || !AccountFiles.TryParse(Providers, id, bytes, out var file, out var account, out _))
            {
                return null;
            }

            var entries = new Dictionary<string, Entry>(_entries, StringComparer.Ordinal) { [id] = new Entry(file!, account!, stamp) };
            PublishLocked(entries, Volatile.Read(ref _snapshot).Skipped);
            return account;
        }
        finally
        {
            _gate.Release();
            RaisePendingEvents();
        }
    }

    private AccountFile? ReadForUpdateLocked(string id)
    {
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            return null;
        }

        // Re-read so that edits made by others since the last scan are kept. A file that no longer parses is
        // left alone: the store never rewrites a file it cannot read.
        return AccountFiles.TryParse(Providers, id, File.ReadAllBytes(path), out var onDisk, out _, out var reason)
            ? onDisk
            : throw new InvalidOperationException($"Account file '{id}{AccountFiles.Extension}' is not usable ({reason}); it was not changed.");
    }

    private async Task<Account> WriteLocked(string id, AccountFile file, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(file, AccountJsonContext.Default.AccountFile);
        if (!AccountFiles.TryParse(Providers, id, bytes, out var parsed, out var account, out var reason))
        {
            throw new InvalidOperationException($"Refusing to write account '{id}': {reason}.");
        }

        var path = PathOf(id);
        await AtomicFile.WriteAsync(path, bytes, ct).ConfigureAwait(false);
        var entries = new Dictionary<string, Entry>(_entries, StringComparer.Ordinal)
        {
            [id] = new Entry(parsed!, account!, Stamp.Of(path)),
        };
        var skipped = Volatile.Read(ref _snapshot).Skipped.Where(s => s.FileName != id + AccountFiles.Extension).ToImmutableArray();
        PublishLocked(entries, skipped);
        return account!;
    }

    private void ScanLocked()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            PublishLocked(new Dictionary<string, Entry>(StringComparer.Ordinal), []);
            return;
        }

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var skipped = new List<SkippedFile>();
        var previousSkipped = Volatile.Read(ref _snapshot).Skipped.Select(s => s.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + AccountFiles.Extension))
        {
            var name = Path.GetFileName(path);
            if (AtomicFile.IsTempName(name) || !name.EndsWith(AccountFiles.Extension, StringComparison.Ordinal))
            {
                continue;
            }

            var id = name[..^AccountFiles.Extension.Length];
            Stamp stamp;
            byte[] bytes;
            try
            {
                stamp = Stamp.Of(path);
                if (_entries.TryGetValue(id, out var known) && known.Stamp == stamp)
                {
                    entries[id] = known;
                    continue;
                }

                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed between listing and reading, or not readable by us.
                if (File.Exists(path))
                {
                    skipped.Add(new SkippedFile(name, "cannot be read"));
                    if (!previousSkipped.Contains(name))
                    {
                        Log.FileSkipped(_logger, name, "cannot be read");
                    }
                }

                continue;
            }

            if (AccountFiles.TryParse(Providers, id, bytes, out var file, out var account, out var reason))
            {
                entries[id] = new Entry(file!, account!, stamp);
            }
            else
            {
                skipped.Add(new SkippedFile(name, reason!));
                if (!previousSkipped.Contains(name))
                {
                    Log.FileSkipped(_logger, name, reason!);
                }
            }
        }

        PublishLocked(entries, [.. skipped.OrderBy(s => s.FileName, StringComparer.Ordinal)]);
    }

    private void PublishLocked(Dictionary<string, Entry> entries, IReadOnlyList<SkippedFile> skipped)
    {
        var previous = Volatile.Read(ref _snapshot);
        var accounts = entries.Values.Select(e => e.Account).OrderBy(a => a.Id, StringComparer.Ordinal).ToImmutableArray();
        Volatile.Write(ref _entries, entries);
        var next = new Snapshot(accounts, skipped);
        Volatile.Write(ref _snapshot, next);
        if (!previous.Accounts.SequenceEqual(accounts))
        {
            lock (_eventLock)
            {
                _pendingEvents.Enqueue(accounts);
            }
        }
    }

    /// <summary>Raises queued <see cref="Changed"/> events in order, outside the write gate (handlers may call the store).</summary>
    private void RaisePendingEvents()
    {
        lock (_eventLock)
        {
            while (_pendingEvents.TryDequeue(out var accounts))
            {
                Changed?.Invoke(this, new AccountsChangedEventArgs(accounts));
            }
        }
    }

    private void EnsureDirectory()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, DirectoryMode);
            File.SetUnixFileMode(Directory, DirectoryMode);
        }
    }

    private void ScheduleRescan()
    {
        lock (_timerLock)
        {
            if (!_disposed)
            {
                _debounceTimer?.Change(_debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private async Task RescanInBackgroundAsync()
    {
        try
        {
            await RescanAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Log.WatcherError(_logger, e.GetType().Name);
        }
    }

    private sealed record Entry(AccountFile File, Account Account, Stamp Stamp);

    private sealed record Snapshot(IReadOnlyList<Account> Accounts, IReadOnlyList<SkippedFile> Skipped);

    private readonly record struct Stamp(DateTime WriteTimeUtc, long Length)
    {
        public static Stamp Of(string path)
        {
            var info = new FileInfo(path);
            return new Stamp(info.LastWriteTimeUtc, info.Length);
        }
    }
}
