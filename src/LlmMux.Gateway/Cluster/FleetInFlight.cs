using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Yarp.ReverseProxy;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The fleet's in-flight requests per account, for <c>strategy: least-busy</c>. Every <see cref="PublishEvery"/> this
/// replica writes its non-zero counts (YARP's <c>ConcurrentRequestCount</c> per destination) to
/// <c>{ns}:inflight:{instance}</c>, which expires after <see cref="Lease"/>, and in the same script call reads the
/// other live replicas' counts. The request path only reads the last answer from memory. A replica that crashes stops
/// refreshing its hash, so its counts vanish on their own within <see cref="Lease"/>; while Redis is away the others'
/// counts are dropped and each replica balances on its own counts alone.
/// </summary>
internal sealed class FleetInFlight : BackgroundService
{
    public static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(1500);

    // KEYS[1] the index of live replicas (zset: instance → expiry ms). ARGV: instance, lease ms, hash prefix, then
    // destination/count pairs. Writes this replica's hash (or removes it when idle), returns every other live
    // replica's pairs, flattened.
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local mine = ARGV[3] .. ARGV[1]
        redis.call('DEL', mine)
        if #ARGV > 3 then
          redis.call('HSET', mine, unpack(ARGV, 4))
          redis.call('PEXPIRE', mine, ARGV[2])
          redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        else
          redis.call('ZREM', KEYS[1], ARGV[1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        local out = {}
        for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          if id ~= ARGV[1] then
            local h = redis.call('HGETALL', ARGV[3] .. id)
            for i = 1, #h do out[#out + 1] = h[i] end
          end
        end
        return out
        """;

    private readonly RedisLink _link;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private FrozenDictionary<string, int> _others = FrozenDictionary<string, int>.Empty;

    // The proxy state is resolved on first use: YARP's config manager depends on the load-balancing policies, one of
    // which depends on this.
    public FleetInFlight(RedisLink link, IServiceProvider services, TimeProvider time)
    {
        _link = link;
        _services = services;
        _time = time;
    }

    /// <summary>Requests the other replicas have in flight on <paramref name="destinationId"/>, as last read.</summary>
    public int Others(string destinationId) => _others.GetValueOrDefault(destinationId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PublishEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await ExchangeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Publishes this replica's counts and reads the others'.</summary>
    internal async Task ExchangeAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            _others = FrozenDictionary<string, int>.Empty;
            return;
        }

        var args = new List<RedisValue> { _link.InstanceId, (long)Lease.TotalMilliseconds, _link.Namespace + ":inflight:" };
        foreach (var cluster in _services.GetRequiredService<IProxyStateLookup>().GetClusters())
        {
            foreach (var (id, destination) in cluster.Destinations)
            {
                if (destination.ConcurrentRequestCount is > 0 and var count)
                {
                    args.Add(id);
                    args.Add(count);
                }
            }
        }

        try
        {
            var reply = (RedisResult[]?)await db.ScriptEvaluateAsync(Script, [_link.Key("inflight")], [.. args]).ConfigureAwait(false) ?? [];
            var others = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < reply.Length; i += 2)
            {
                if ((string?)reply[i] is { } id && int.TryParse((string?)reply[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var count))
                {
                    others[id] = others.GetValueOrDefault(id) + count;
                }
            }

            _others = others.ToFrozenDictionary(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
        {
            _link.Failed("in-flight exchange", e);
            _others = FrozenDictionary<string, int>.Empty;
        }
    }
}
