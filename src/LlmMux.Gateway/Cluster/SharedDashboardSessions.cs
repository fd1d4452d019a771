using System.Collections.Concurrent;
using System.Text.Json;
using LlmMux.Gateway.Dashboard;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The dashboard's sessions across the fleet: each is written to <c>{ns}:dashboard-session:{sha256 of the cookie id}</c>
/// expiring with the session, read by a replica the browser reaches that has not seen it. A sign-out replaces it with a
/// tombstone and says so on the bus, so that replicas holding it in memory drop it at once (and, were the message lost,
/// when they next re-check it). While Redis is away a replica keeps the sessions it knows and starts local-only ones, and
/// keeps its sign-outs to send; when Redis returns it sends those first, then writes back the sessions it knows (a Redis
/// without persistence comes back empty) — never over a key that is there, so a write-back cannot revive a signed-out
/// session whose tombstone landed first, and a tombstone that lands later overwrites it.
/// </summary>
internal sealed class SharedDashboardSessions : ISharedDashboardSessions
{
    private const string EndedKind = "dashboard-session-ended";
    private static readonly RedisValue Tombstone = "ended";
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromMilliseconds(500);

    private readonly RedisLink _link;
    private readonly ClusterBus _bus;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, byte> _unsentEnds = new(StringComparer.Ordinal);

    public SharedDashboardSessions(RedisLink link, ClusterBus bus, TimeProvider time)
    {
        _link = link;
        _bus = bus;
        _time = time;
        link.Restored += () =>
        {
            foreach (var key in _unsentEnds.Keys)
            {
                _unsentEnds.TryRemove(key, out _);
                Remove(key);
            }

            Restored?.Invoke();
        };
        bus.On(EndedKind, e =>
        {
            if (e.Account is { } key)
            {
                Ended?.Invoke(key);
            }
        });
    }

    public event Action<string>? Ended;

    public event Action? Restored;

    public async Task SaveAsync(string key, DashboardSession session)
    {
        var left = session.Expires - _time.GetUtcNow();
        if (left <= TimeSpan.Zero || !_link.TryGetDatabase(out var db))
        {
            return;
        }

        try
        {
            await db.StringSetAsync(KeyOf(key), JsonSerializer.SerializeToUtf8Bytes(session, ClusterJsonContext.Default.DashboardSession), left, When.NotExists).WaitAsync(LookupTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _link.Failed("dashboard session save", e);
        }
    }

    public async Task<(bool Answered, DashboardSession? Session)> FindAsync(string key, CancellationToken cancellationToken)
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return (false, null);
        }

        try
        {
            var value = await db.StringGetAsync(KeyOf(key)).WaitAsync(LookupTimeout, cancellationToken).ConfigureAwait(false);
            return (true, value.IsNull || value == Tombstone ? null : JsonSerializer.Deserialize((byte[])value!, ClusterJsonContext.Default.DashboardSession));
        }
        catch (Exception e) when (e is RedisException or TimeoutException or JsonException)
        {
            _link.Failed("dashboard session lookup", e);
            return (false, null);
        }
    }

    public void Remove(string key)
    {
        if (!_link.TryGetDatabase(out var db))
        {
            _unsentEnds[key] = 0;
            return;
        }

        try
        {
            // A session cannot outlive its lifetime, so neither need its tombstone.
            db.StringSet(KeyOf(key), Tombstone, DashboardSessions.Lifetime, When.Always, CommandFlags.FireAndForget);
            _bus.Publish(new ClusterEvent { Kind = EndedKind, Account = key });
        }
        catch (RedisException e)
        {
            _link.Failed("dashboard session end", e);
        }
    }

    private RedisKey KeyOf(string key) => _link.Key("dashboard-session:" + key);
}
