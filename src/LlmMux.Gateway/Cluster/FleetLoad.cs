using System.Collections.Frozen;
using System.Globalization;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Yarp.ReverseProxy;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The fleet's load per account: requests in flight (for <c>strategy: least-busy</c>) and requests and tokens per
/// window (for learned limits and the management view). Every <see cref="PublishEvery"/> this replica writes its
/// non-zero reports to <c>{ns}:load:{instance}</c>, which expires after <see cref="Lease"/>, and in the same script
/// call reads the other live replicas' reports. The request path only reads the last answer from memory. A replica
/// that crashes stops refreshing its hash, so its counts vanish on their own within <see cref="Lease"/>; while Redis is
/// away the others' counts are dropped and each replica goes by its own counts alone. The same hash carries what the
/// replica is serving (active streams, requests in flight) under <see cref="ActivityField"/>, for the dashboard's
/// fleet-wide "now".
/// </summary>
internal sealed class FleetLoad : BackgroundService, IFleetLoad
{
    public static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(1500);

    // KEYS[1] the index of live replicas (zset: instance → expiry ms). ARGV: instance, lease ms, hash prefix, then
    // destination/report pairs. Writes this replica's hash (or removes it when idle), returns every other live
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
    // An account's field is its destination id, which always holds a '/': this name can never be one.
    internal const string ActivityField = "activity";

    private FrozenDictionary<string, FleetAccountLoad> _others = FrozenDictionary<string, FleetAccountLoad>.Empty;
    private IReadOnlyList<InstanceActivity>? _othersActivity;

    // The proxy state and the account store are resolved on first use: YARP's config manager depends on the
    // load-balancing policies, and the account store on this, which both read.
    public FleetLoad(RedisLink link, IServiceProvider services, TimeProvider time)
    {
        _link = link;
        _services = services;
        _time = time;
    }

    /// <inheritdoc />
    public FleetAccountLoad Others(string destinationId) => _others.GetValueOrDefault(destinationId);

    /// <summary>
    /// What each other live replica was serving at the last exchange (replicas serving nothing are left out); null when
    /// the last exchange failed or none has run, so only this replica's own activity is known.
    /// </summary>
    public IReadOnlyList<InstanceActivity>? OthersActivity => _othersActivity;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PublishEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await ExchangeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Publishes this replica's reports and reads the others'.</summary>
    internal async Task ExchangeAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            _others = FrozenDictionary<string, FleetAccountLoad>.Empty;
            _othersActivity = null;
            return;
        }

        var args = new List<RedisValue> { _link.InstanceId, (long)Lease.TotalMilliseconds, _link.Namespace + ":load:" };
        foreach (var (id, load) in OwnReports())
        {
            args.Add(id);
            args.Add(Format(load));
        }

        var own = InstanceActivity.Of(_link.InstanceId, _services.GetRequiredService<Telemetry.GatewayMetrics>(), _services.GetRequiredService<RequestLog>(), _time.GetUtcNow());
        if (!own.IsIdle)
        {
            args.Add(ActivityField);
            args.Add(FormatActivity(own));
        }

        try
        {
            var reply = (RedisResult[]?)await db.ScriptEvaluateAsync(Script, [_link.Key("load")], [.. args]).ConfigureAwait(false) ?? [];
            var others = new Dictionary<string, FleetAccountLoad>(StringComparer.Ordinal);
            var activity = new List<InstanceActivity>();
            for (var i = 0; i + 1 < reply.Length; i += 2)
            {
                if ((string?)reply[i] == ActivityField)
                {
                    if (ParseActivity((string?)reply[i + 1]) is { } serving)
                    {
                        activity.Add(serving);
                    }
                }
                else if ((string?)reply[i] is { } id && Parse((string?)reply[i + 1]) is { } load)
                {
                    others[id] = others.GetValueOrDefault(id).Plus(load);
                }
            }

            _others = others.ToFrozenDictionary(StringComparer.Ordinal);
            _othersActivity = activity;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
        {
            _link.Failed("load exchange", e);
            _others = FrozenDictionary<string, FleetAccountLoad>.Empty;
            _othersActivity = null;
        }
    }

    private Dictionary<string, FleetAccountLoad> OwnReports()
    {
        var states = _services.GetRequiredService<AccountStateStore>();
        var reports = new Dictionary<string, FleetAccountLoad>(StringComparer.Ordinal);
        foreach (var id in states.KnownAccounts())
        {
            if (states.OwnLoad(id) is { IsEmpty: false } load)
            {
                reports[id] = load;
            }
        }

        foreach (var cluster in _services.GetRequiredService<IProxyStateLookup>().GetClusters())
        {
            foreach (var (id, destination) in cluster.Destinations)
            {
                if (destination.ConcurrentRequestCount is > 0 and var count)
                {
                    reports[id] = reports.GetValueOrDefault(id) with { InFlight = count };
                }
            }
        }

        return reports;
    }

    // "inflight,rpm,rph,rpd,tokens-day,learned" (learned empty when none): compact, and read by this code alone.
    internal static string Format(FleetAccountLoad load) => string.Create(CultureInfo.InvariantCulture,
        $"{load.InFlight},{load.RequestsLastMinute},{load.RequestsLastHour},{load.RequestsLastDay},{load.TokensLastDay},{load.LearnedPerMinute}");

    internal static FleetAccountLoad? Parse(string? text)
    {
        var parts = text?.Split(',');
        if (parts is not { Length: 6 }
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var inFlight)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var tokens))
        {
            return null;
        }

        long? learned = long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : null;
        return new FleetAccountLoad(inFlight, minute, hour, day, tokens, learned);
    }

    // "streams,inflight,hour totals,day totals,instance" (each totals: requests,errors,tokens,failovers): the instance
    // id last, as an instance name may hold any character.
    internal static string FormatActivity(InstanceActivity a) => string.Create(CultureInfo.InvariantCulture,
        $"{a.ActiveStreams},{a.RequestsInFlight},{a.LastHour.Requests},{a.LastHour.Errors},{a.LastHour.Tokens},{a.LastHour.Failovers},{a.LastDay.Requests},{a.LastDay.Errors},{a.LastDay.Tokens},{a.LastDay.Failovers},{a.Instance}");

    internal static InstanceActivity? ParseActivity(string? text)
    {
        var parts = text?.Split(',', 11);
        if (parts is not { Length: 11 } || parts[10].Length == 0)
        {
            return null;
        }

        var n = new long[10];
        for (var i = 0; i < n.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out n[i]))
            {
                return null;
            }
        }

        return new InstanceActivity(parts[10], n[0], n[1], new RequestTotals(n[2], n[3], n[4], n[5]), new RequestTotals(n[6], n[7], n[8], n[9]));
    }
}
