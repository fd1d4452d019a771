using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// Login accounts held as one fleet, for replicas that share no disk. Each account file lives in Redis under
/// <c>{ns}:account:{id}</c> — a hash of <c>v</c> (a version bumped by every write), <c>stamp</c> (its last refresh,
/// unix ms), <c>by</c> (the writing instance) and <c>blob</c> (the file, sealed by <see cref="CredentialEnvelope"/>),
/// or <c>gone</c> for a removed account (a tombstone kept a week). Every replica materializes those files into its own
/// auth dir, so the <see cref="AccountStore"/> and everything after it work as on one machine, and pushes what changes
/// in its auth dir (a login, an upload, a removal, disable, label, a refresh) with a compare-and-set on the version it
/// last saw. Where both sides changed (Redis was away, or wiped), the copy refreshed last wins; a tie goes to Redis.
/// Changes are announced on the bus and pulled at once; a full reconcile runs at start, after Redis returns and every
/// <see cref="ReconcileEvery"/>. Without an encryption key nothing is stored: each replica keeps its own auth dir.
/// Also the fleet's <see cref="IRefreshCoordinator"/>: one replica refreshes an account at a time (<see cref="RefreshLock"/>),
/// pulls the shared copy after taking the lock and writes the rotated grant back under the lock's fence.
/// </summary>
internal sealed partial class SharedAccounts : BackgroundService, IRefreshCoordinator
{
    public static readonly TimeSpan ReconcileEvery = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan TombstoneTtl = TimeSpan.FromDays(7);

    private const string EventKind = "account";
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(200);

    // KEYS[1] the account's hash, KEYS[2] its refresh lock. ARGV: fence ('' = none), expected version ('' = any),
    // stamp, sealed file ('' = tombstone), writer, newer-only ('1': only when the stamp is later than the stored one),
    // tombstone ttl ms. A new key starts at Redis's clock in ms, so versions seen before Redis lost its data never
    // match by chance. The new version, or -1 (the fence no longer holds), -2 (the version moved), -3 (not newer).
    internal const string WriteScript = """
        if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
        local cur = redis.call('HMGET', KEYS[1], 'v', 'stamp')
        local v = cur[1] and tonumber(cur[1]) or 0
        if ARGV[2] ~= '' and v ~= tonumber(ARGV[2]) then return -2 end
        if ARGV[6] == '1' and cur[1] and (cur[2] and tonumber(cur[2]) or 0) >= tonumber(ARGV[3]) then return -3 end
        if cur[1] then v = v + 1 else
          local t = redis.call('TIME')
          v = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        redis.call('DEL', KEYS[1])
        if ARGV[4] == '' then
          redis.call('HSET', KEYS[1], 'v', v, 'stamp', ARGV[3], 'by', ARGV[5], 'gone', '1')
          redis.call('PEXPIRE', KEYS[1], ARGV[7])
        else
          redis.call('HSET', KEYS[1], 'v', v, 'stamp', ARGV[3], 'by', ARGV[5], 'blob', ARGV[4])
        end
        return v
        """;

    private readonly RedisLink _link;
    private readonly ClusterBus _bus;
    private readonly AccountStore _store;
    private readonly ILogger<SharedAccounts> _logger;
    private readonly TimeProvider _time;
    private readonly CredentialEnvelope? _envelope;
    private readonly FileRefreshCoordinator _files;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, Synced> _synced = new(StringComparer.Ordinal);
    private int _scanQueued;

    public SharedAccounts(RedisLink link, ClusterBus bus, AccountStore store, ILogger<SharedAccounts> logger, TimeProvider time)
    {
        _link = link;
        _bus = bus;
        _store = store;
        _logger = logger;
        _time = time;
        _files = new FileRefreshCoordinator(store);
        _envelope = CredentialEnvelope.TryCreate(link.Options.EncryptionKey, link.Namespace);
        if (!link.Enabled)
        {
            return;
        }

        if (_envelope is null)
        {
            Log.NoEncryptionKey(logger);
            return;
        }

        store.Changed += (_, _) => ScheduleLocalScan();
        bus.On(EventKind, message =>
        {
            if (message.Account is { } id)
            {
                _ = ReconcileAsync(id, fence: null);
            }
        });
        link.Restored += () => _ = ReconcileAllAsync();
    }

    /// <summary>Whether account files are shared (an encryption key is set).</summary>
    public bool SharesCredentials => _link.Enabled && _envelope is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!SharesCredentials)
        {
            return;
        }

        using var timer = new PeriodicTimer(ReconcileEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await ReconcileAllAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IRefreshLease> AcquireAsync(string accountId, TimeSpan wait, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();

        // Right after start the first connection may still be on its way: a refresh without the fleet's lock could
        // spend a refresh token another replica already rotated, so it is worth the wait (bounded).
        if (!_link.Connected)
        {
            try
            {
                await _link.ConnectionAsync.WaitAsync(wait, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        var fileLease = await _files.AcquireAsync(accountId, Remaining(started, wait), ct).ConfigureAwait(false);
        try
        {
            var lockKey = RefreshLock.LockKey(_link, accountId);
            var pause = FirstPause;
            while (_link.TryGetDatabase(out var db))
            {
                long? fence;
                try
                {
                    fence = await RefreshLock.TryAcquireAsync(db, lockKey, RefreshLock.FenceKey(_link), RefreshLock.Ttl).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    _link.Failed("refresh lock", e);
                    break;
                }

                if (fence is { } held)
                {
                    return new FleetLease(this, accountId, db, lockKey, held, fileLease);
                }

                if (Remaining(started, wait) <= TimeSpan.Zero)
                {
                    throw new TimeoutException("Another replica is refreshing this account.");
                }

                await Task.Delay(pause, ct).ConfigureAwait(false);
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }

            // Redis is away: the local lock only. The refreshed file is pushed when Redis returns (the newer one wins).
            Log.RefreshWithoutFleetLock(_logger, accountId);
            return fileLease;
        }
        catch
        {
            await fileLease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static TimeSpan Remaining(long started, TimeSpan wait)
    {
        var left = wait - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>Every account this replica, Redis or the last sync knows, reconciled one by one.</summary>
    internal async Task ReconcileAllAsync()
    {
        if (!SharesCredentials || !_link.TryGetDatabase(out var db))
        {
            return;
        }

        var ids = new HashSet<string>(_store.Accounts.Select(a => a.Id), StringComparer.Ordinal);
        ids.UnionWith(_synced.Keys);
        try
        {
            var prefix = _link.Namespace + ":account:";
            var redis = await _link.ConnectionAsync.ConfigureAwait(false);
            foreach (var server in redis!.GetServers())
            {
                if (server.IsReplica || !server.IsConnected)
                {
                    continue;
                }

                await foreach (var key in server.KeysAsync(db.Database, prefix + "*", pageSize: 250).ConfigureAwait(false))
                {
                    ids.Add(((string)key!)[prefix.Length..]);
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _link.Failed("account list", e);
            return;
        }

        foreach (var id in ids.Order(StringComparer.Ordinal))
        {
            await ReconcileAsync(id, fence: null).ConfigureAwait(false);
        }
    }

    /// <summary>Brings one account's file and its Redis copy together. Never throws.</summary>
    internal async Task ReconcileAsync(string id, long? fence)
    {
        if (!SharesCredentials || !AccountStore.IsValidId(id) || !_link.TryGetDatabase(out var db))
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await ReconcileLockedAsync(db, id, fence).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _link.Failed("account sync", e);
        }
        catch (CryptographicException)
        {
            // Another key, or a value that was tampered with: never served, never overwritten by guesswork.
            Log.CannotOpen(_logger, id);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or JsonException)
        {
            Log.SyncFailed(_logger, id, e.GetType().Name);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReconcileLockedAsync(IDatabase db, string id, long? fence)
    {
        var local = _store.ReadFileBytes(id);
        var localHash = local is null ? null : SHA256.HashData(local);
        _synced.TryGetValue(id, out var known);
        var remote = await ReadRemoteAsync(db, id).ConfigureAwait(false);

        if (remote is null)
        {
            // Never stored, or Redis lost its data: what this replica has goes in (the newest of the fleet's wins).
            if (local is not null)
            {
                await PushAsync(db, id, local, localHash!, expected: null, newerOnly: true, fence).ConfigureAwait(false);
            }
            else
            {
                _synced.TryRemove(id, out _);
            }

            return;
        }

        if (remote.Gone)
        {
            if (local is not null)
            {
                var unchangedHere = known?.Hash is { } h && h.AsSpan().SequenceEqual(localHash);
                if (unchangedHere || !await PushAsync(db, id, local, localHash!, expected: null, newerOnly: true, fence).ConfigureAwait(false))
                {
                    await _store.RemoveAsync(id).ConfigureAwait(false);
                    Log.Removed(_logger, id);
                }
                else
                {
                    return;
                }
            }

            _synced[id] = new Synced(remote.Version, null);
            return;
        }

        if (local is null)
        {
            if (known?.Hash is not null)
            {
                // Removed here since the last sync: the fleet removes it too, unless it changed meanwhile.
                var tombstone = await WriteAsync(db, id, [], _time.GetUtcNow().ToUnixTimeMilliseconds(), known.Version, newerOnly: false, fence: null).ConfigureAwait(false);
                if (tombstone > 0)
                {
                    _synced[id] = new Synced(tombstone, null);
                    return;
                }
            }

            await MaterializeAsync(db, id, remote, localHash).ConfigureAwait(false);
            return;
        }

        if (known?.Hash is { } syncedHash)
        {
            if (syncedHash.AsSpan().SequenceEqual(localHash))
            {
                if (known.Version != remote.Version)
                {
                    await MaterializeAsync(db, id, remote, localHash).ConfigureAwait(false);
                }

                return;
            }

            // Changed here since the last sync: written over the version this replica saw.
            if (await PushAsync(db, id, local, localHash!, expected: known.Version, newerOnly: false, fence).ConfigureAwait(false))
            {
                return;
            }
        }

        // First sight since start, or both sides changed: the later refresh wins, a tie goes to Redis.
        if (Stamp(local) > remote.Stamp && await PushAsync(db, id, local, localHash!, expected: null, newerOnly: true, fence: null).ConfigureAwait(false))
        {
            return;
        }

        await MaterializeAsync(db, id, remote, localHash).ConfigureAwait(false);
    }

    private async Task<bool> PushAsync(IDatabase db, string id, byte[] local, byte[] localHash, long? expected, bool newerOnly, long? fence)
    {
        var sealedFile = _envelope!.Seal(local, KeyName(id));
        var version = await WriteAsync(db, id, sealedFile, Stamp(local), expected, newerOnly, fence).ConfigureAwait(false);
        if (version <= 0)
        {
            return false;
        }

        _synced[id] = new Synced(version, localHash);
        Log.Pushed(_logger, id, version);
        _bus.Publish(new ClusterEvent { Kind = EventKind, Account = id });
        return true;
    }

    private async Task<long> WriteAsync(IDatabase db, string id, byte[] sealedFile, long stamp, long? expected, bool newerOnly, long? fence)
    {
        var result = await db.ScriptEvaluateAsync(WriteScript, [_link.Key(KeyName(id)), RefreshLock.LockKey(_link, id)],
        [
            fence is { } f ? f : RedisValue.EmptyString,
            expected is { } e ? e : RedisValue.EmptyString,
            stamp,
            sealedFile,
            _link.InstanceId,
            newerOnly ? "1" : "0",
            (long)TombstoneTtl.TotalMilliseconds,
        ]).ConfigureAwait(false);
        return (long)result;
    }

    private async Task MaterializeAsync(IDatabase db, string id, Remote remote, byte[]? localHash)
    {
        var sealedFile = (byte[]?)await db.HashGetAsync(_link.Key(KeyName(id)), "blob").ConfigureAwait(false);
        if (sealedFile is null)
        {
            return;
        }

        var file = _envelope!.Open(sealedFile, KeyName(id));
        if (localHash is null || !SHA256.HashData(file).AsSpan().SequenceEqual(localHash))
        {
            await _store.PutFileAsync(id, file).ConfigureAwait(false);
            Log.Materialized(_logger, id, remote.Version);
        }

        var onDisk = _store.ReadFileBytes(id);
        _synced[id] = new Synced(remote.Version, onDisk is null ? null : SHA256.HashData(onDisk));
    }

    private async Task<Remote?> ReadRemoteAsync(IDatabase db, string id)
    {
        var fields = await db.HashGetAsync(_link.Key(KeyName(id)), ["v", "stamp", "gone"]).ConfigureAwait(false);
        if (fields[0].IsNull || !long.TryParse((string?)fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
        {
            return null;
        }

        _ = long.TryParse((string?)fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var stamp);
        return new Remote(version, stamp, !fields[2].IsNull);
    }

    /// <summary>Coalesces the store's change events into one pass over the files that differ from their last sync.</summary>
    private void ScheduleLocalScan()
    {
        if (Interlocked.Exchange(ref _scanQueued, 1) == 0)
        {
            _ = Task.Run(ScanLocalAsync);
        }
    }

    private async Task ScanLocalAsync()
    {
        Volatile.Write(ref _scanQueued, 0);
        var ids = new HashSet<string>(_store.Accounts.Select(a => a.Id), StringComparer.Ordinal);
        ids.UnionWith(_synced.Where(s => s.Value.Hash is not null).Select(s => s.Key));
        foreach (var id in ids)
        {
            var local = _store.ReadFileBytes(id);
            var known = _synced.GetValueOrDefault(id);
            var unchanged = local is null ? known?.Hash is null : known?.Hash is { } h && SHA256.HashData(local).AsSpan().SequenceEqual(h);
            if (!unchanged)
            {
                await ReconcileAsync(id, fence: null).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Unix ms of the file's last refresh (else its expiry), so the later of two copies can be told; 0 when it says neither.</summary>
    internal static long Stamp(ReadOnlySpan<byte> file)
    {
        try
        {
            var reader = new Utf8JsonReader(file, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            foreach (var candidate in new[] { Text(root, "last_refresh"), Text(root, "expired"), root.TryGetProperty("token", out var token) ? Text(token, "expiry") : null })
            {
                if (candidate is not null && DateTimeOffset.TryParse(candidate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return at.ToUnixTimeMilliseconds();
                }
            }
        }
        catch (JsonException)
        {
        }

        return 0;

        static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static string KeyName(string id) => "account:" + id;

    private sealed record Synced(long Version, byte[]? Hash);

    private sealed record Remote(long Version, long Stamp, bool Gone);

    /// <summary>The fleet's lock plus the local file lock; pull and publish go through the reconcile.</summary>
    private sealed class FleetLease(SharedAccounts owner, string accountId, IDatabase db, RedisKey lockKey, long fence, IRefreshLease fileLease) : IRefreshLease
    {
        public bool Held => true;

        public Task PullAsync(CancellationToken ct) => owner.ReconcileAsync(accountId, fence);

        public Task PublishAsync(CancellationToken ct) => owner.ReconcileAsync(accountId, fence);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await RefreshLock.ReleaseAsync(db, lockKey, fence).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // It expires on its own.
                owner._link.Failed("refresh unlock", e);
            }

            await fileLease.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "cluster: no cluster.encryption-key (LLM_MUX_CLUSTER_KEY): login accounts are not stored in Redis; each replica serves its own auth dir (the refresh lock is still shared)")]
        public static partial void NoEncryptionKey(ILogger logger);

        [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "cluster: account '{AccountId}' written to Redis (version {Version})")]
        public static partial void Pushed(ILogger logger, string accountId, long version);

        [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "cluster: account '{AccountId}' taken from Redis (version {Version})")]
        public static partial void Materialized(ILogger logger, string accountId, long version);

        [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "cluster: account '{AccountId}' was removed by another replica")]
        public static partial void Removed(ILogger logger, string accountId);

        [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "cluster: account '{AccountId}' in Redis does not open with this replica's encryption key; left alone")]
        public static partial void CannotOpen(ILogger logger, string accountId);

        [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "cluster: account '{AccountId}' could not be synced ({Error})")]
        public static partial void SyncFailed(ILogger logger, string accountId, string error);

        [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "cluster: Redis is away; refreshing account '{AccountId}' under the local lock only")]
        public static partial void RefreshWithoutFleetLock(ILogger logger, string accountId);
    }
}
