using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// One client key's <c>limits.requests-per-minute</c> held by the whole fleet: an exact sliding window kept in Redis
/// (a sorted set of admitted requests under <c>{ns}:rl:{client}:{limit}</c>, scored by Redis's own clock, so replicas
/// with skewed clocks agree), admitted or refused by one script call. Correctness needs this one round trip per
/// request; everything else stays local. When Redis is away, slow (over <see cref="RedisBudget"/>) or failing, the
/// request is judged by this replica's own sliding window, which counts every request this replica admitted either
/// way, so the fallback starts from what this replica has already spent, not from zero.
/// </summary>
/// <remarks>
/// Written here rather than taken from the RedisRateLimiting package: that package prepares its scripts with
/// <c>LuaScript.Prepare</c>, which reads parameters by reflection (not safe under Native AOT trimming), has no local
/// fallback when Redis fails (a Redis outage would refuse or fail every request), and fixes its own key layout.
/// </remarks>
internal sealed class FleetRateLimiter : RateLimiter
{
    /// <summary>How long a request may wait on Redis for its verdict before this replica's window decides.</summary>
    public static readonly TimeSpan RedisBudget = TimeSpan.FromMilliseconds(250);

    // KEYS[1] the window; ARGV: limit, window (ms), member. Returns 0 when admitted, else ms until a slot frees.
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
          redis.call('ZADD', KEYS[1], now, ARGV[3])
          redis.call('PEXPIRE', KEYS[1], window)
          return 0
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return math.max(1, tonumber(oldest[2]) + window - now)
        """;

    private static long _sequence;

    private readonly RedisLink _link;
    private readonly RedisKey _key;
    private readonly int _limit;
    private readonly long _windowMs;
    private readonly RateLimiter _local;

    public FleetRateLimiter(RedisLink link, string partition, int limit, TimeSpan window, RateLimiter local)
    {
        _link = link;
        _key = link.Key("rl:" + partition);
        _limit = limit;
        _windowMs = (long)window.TotalMilliseconds;
        _local = local;
    }

    public override TimeSpan? IdleDuration => _local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        // Synchronous callers cannot wait for Redis. A refusal of this replica's own window is final (the fleet has
        // admitted at least as many); otherwise defer to AcquireAsync (ASP.NET Core's middleware calls it next).
        if (permitCount == 0 || !_link.TryGetDatabase(out _))
        {
            return _local.AttemptAcquire(permitCount);
        }

        using var probe = _local.AttemptAcquire(0);
        return probe.IsAcquired ? Deferred.Instance : _local.AttemptAcquire(permitCount);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0 || !_link.TryGetDatabase(out var db))
        {
            return _local.AttemptAcquire(permitCount);
        }

        long wait;
        try
        {
            var member = _link.InstanceId + ":" + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var result = await db.ScriptEvaluateAsync(Script, [_key], [_limit, _windowMs, member])
                .WaitAsync(RedisBudget, cancellationToken).ConfigureAwait(false);
            wait = (long)result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
        {
            _link.Failed("rate limit", e);
            return _local.AttemptAcquire(permitCount);
        }

        if (wait > 0)
        {
            return new Refused(TimeSpan.FromMilliseconds(wait));
        }

        // Admitted by the fleet: count it in this replica's window too, for the fallback (its verdict is not asked).
        _local.AttemptAcquire(permitCount).Dispose();
        return Admitted.Instance;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _local.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private sealed class Admitted : RateLimitLease
    {
        public static readonly Admitted Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    /// <summary>Not admitted yet: the asynchronous call asks the fleet.</summary>
    private sealed class Deferred : RateLimitLease
    {
        public static readonly Deferred Instance = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Refused(TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
