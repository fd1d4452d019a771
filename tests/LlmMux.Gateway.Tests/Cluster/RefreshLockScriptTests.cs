using LlmMux.Gateway.Cluster;
using LlmMux.Testing;
using StackExchange.Redis;

namespace LlmMux.Gateway.Tests.Cluster;

/// <summary>The refresh lock and the account write script against a real redis-server.</summary>
public sealed class RefreshLockScriptTests : IAsyncLifetime
{
    private static readonly RedisKey Lock = "t:lock:refresh:a";
    private static readonly RedisKey Fence = "t:fence:refresh";
    private static readonly RedisKey Account = "t:account:a";

    private RedisServer _server = null!;
    private ConnectionMultiplexer _redis = null!;

    private IDatabase Db => _redis.GetDatabase();

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_server.Port}");
    }

    [Fact]
    public async Task One_holder_at_a_time_with_an_increasing_fence_released_only_by_its_holder()
    {
        var first = await RefreshLock.TryAcquireAsync(Db, Lock, Fence, TimeSpan.FromSeconds(60));
        Assert.NotNull(first);
        Assert.Null(await RefreshLock.TryAcquireAsync(Db, Lock, Fence, TimeSpan.FromSeconds(60)));
        var ttl = await Db.KeyTimeToLiveAsync(Lock);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        Assert.False(await RefreshLock.ReleaseAsync(Db, Lock, first!.Value + 1));
        Assert.True(await RefreshLock.ReleaseAsync(Db, Lock, first.Value));
        Assert.False(await RefreshLock.ReleaseAsync(Db, Lock, first.Value));

        var second = await RefreshLock.TryAcquireAsync(Db, Lock, Fence, TimeSpan.FromSeconds(60));
        Assert.True(second > first);
    }

    [Fact]
    public async Task A_holder_whose_lock_expired_can_neither_release_nor_write_over_the_next_holder()
    {
        var old = (await RefreshLock.TryAcquireAsync(Db, Lock, Fence, TimeSpan.FromSeconds(60)))!.Value;
        await Db.KeyDeleteAsync(Lock); // what its expiry does
        var next = (await RefreshLock.TryAcquireAsync(Db, Lock, Fence, TimeSpan.FromSeconds(60)))!.Value;

        Assert.Equal(-1, await WriteAsync(old, expected: null, stamp: 10, "blob-old"));
        Assert.False(await RefreshLock.ReleaseAsync(Db, Lock, old));
        Assert.True(await WriteAsync(next, expected: null, stamp: 10, "blob-new") > 0);
        Assert.Equal("blob-new", (string?)await Db.HashGetAsync(Account, "blob"));
    }

    [Fact]
    public async Task Writes_compare_the_version_and_an_import_only_replaces_an_older_copy()
    {
        var v1 = await WriteAsync(null, expected: null, stamp: 100, "one");
        Assert.True(v1 > 0);
        Assert.Equal(-2, await WriteAsync(null, expected: v1 - 1, stamp: 200, "stale version"));
        var v2 = await WriteAsync(null, expected: v1, stamp: 200, "two");
        Assert.Equal(v1 + 1, v2);

        Assert.Equal(-3, await WriteAsync(null, expected: null, stamp: 150, "older import", newerOnly: true));
        Assert.Equal(v2 + 1, await WriteAsync(null, expected: null, stamp: 300, "newer import", newerOnly: true));
        Assert.Equal("newer import", (string?)await Db.HashGetAsync(Account, "blob"));

        // A removal leaves a tombstone that expires, and no blob.
        Assert.Equal(v2 + 2, await WriteAsync(null, expected: v2 + 1, stamp: 400, ""));
        Assert.True((await Db.HashGetAsync(Account, "blob")).IsNull);
        Assert.Equal("1", (string?)await Db.HashGetAsync(Account, "gone"));
        Assert.NotNull(await Db.KeyTimeToLiveAsync(Account));
    }

    private async Task<long> WriteAsync(long? fence, long? expected, long stamp, string blob, bool newerOnly = false) =>
        (long)await Db.ScriptEvaluateAsync(SharedAccounts.WriteScript, [Account, Lock],
        [
            fence is { } f ? f : RedisValue.EmptyString, expected is { } e ? e : RedisValue.EmptyString, stamp, blob, "test", newerOnly ? "1" : "0", 60_000,
        ]);

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _server.DisposeAsync();
    }
}
