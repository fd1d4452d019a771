using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The fleet's refresh lock of one account: <c>{ns}:lock:refresh:{account}</c> holds the fence of its holder, taken
/// with <c>SET NX PX</c> and a fence from <c>INCR {ns}:fence:refresh</c> (strictly increasing across the fleet), and
/// released only by the holder (compare-and-delete). It expires after <see cref="Ttl"/>, longer than a refresh
/// with its timeouts, so a holder that died frees it on its own. A write made under the lock names the fence, and
/// the write script refuses it once the lock has passed to another holder.
/// </summary>
internal static class RefreshLock
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);

    // KEYS[1] lock, KEYS[2] fence counter; ARGV[1] ttl ms. The new fence, or 0 when someone else holds the lock.
    private const string AcquireScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        local f = redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], f, 'PX', ARGV[1])
        return f
        """;

    // KEYS[1] lock; ARGV[1] fence. 1 when this holder released it, 0 when it was no longer this holder's.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    public static RedisKey LockKey(RedisLink link, string accountId) => link.Key("lock:refresh:" + accountId);

    public static RedisKey FenceKey(RedisLink link) => link.Key("fence:refresh");

    /// <summary>The fence of a lock just taken, or null while another holder has it.</summary>
    public static async Task<long?> TryAcquireAsync(IDatabaseAsync db, RedisKey lockKey, RedisKey fenceKey, TimeSpan ttl)
    {
        var fence = (long)await db.ScriptEvaluateAsync(AcquireScript, [lockKey, fenceKey], [(long)ttl.TotalMilliseconds]).ConfigureAwait(false);
        return fence > 0 ? fence : null;
    }

    public static async Task<bool> ReleaseAsync(IDatabaseAsync db, RedisKey lockKey, long fence) =>
        (long)await db.ScriptEvaluateAsync(ReleaseScript, [lockKey], [fence]).ConfigureAwait(false) == 1;
}
