using System.Text.Json;
using LlmMux.Gateway.Dashboard;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The dashboard's sessions across the fleet: each is written to <c>{ns}:dashboard-session:{sha256 of the cookie id}</c>
/// expiring with the session, read by a replica the browser reaches that has not seen it, and deleted on sign-out with
/// a message on the bus so that replicas holding it in memory drop it at once (and, were the message lost, when they next
/// re-check it). While Redis is away a replica keeps the sessions it knows and starts local-only ones; when Redis returns
/// each replica writes back the sessions it knows, since a Redis without persistence comes back empty.
/// </summary>
internal sealed class SharedDashboardSessions : ISharedDashboardSessions
{
    private const string EndedKind = "dashboard-session-ended";
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromMilliseconds(500);

    private readonly RedisLink _link;
    private readonly ClusterBus _bus;
    private readonly TimeProvider _time;

    public SharedDashboardSessions(RedisLink link, ClusterBus bus, TimeProvider time)
    {
        _link = link;
        _bus = bus;
        _time = time;
        link.Restored += () => Restored?.Invoke();
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
            await db.StringSetAsync(KeyOf(key), JsonSerializer.SerializeToUtf8Bytes(session, ClusterJsonContext.Default.DashboardSession), left).WaitAsync(LookupTimeout).ConfigureAwait(false);
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
            var value = (byte[]?)await db.StringGetAsync(KeyOf(key)).WaitAsync(LookupTimeout, cancellationToken).ConfigureAwait(false);
            return (true, value is null ? null : JsonSerializer.Deserialize(value, ClusterJsonContext.Default.DashboardSession));
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
            return;
        }

        try
        {
            db.KeyDelete(KeyOf(key), CommandFlags.FireAndForget);
            _bus.Publish(new ClusterEvent { Kind = EndedKind, Account = key });
        }
        catch (RedisException e)
        {
            _link.Failed("dashboard session end", e);
        }
    }

    private RedisKey KeyOf(string key) => _link.Key("dashboard-session:" + key);
}
