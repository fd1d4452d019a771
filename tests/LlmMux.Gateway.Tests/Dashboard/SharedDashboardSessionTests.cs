using LlmMux.Gateway.Cluster;
using LlmMux.Gateway.Dashboard;
using LlmMux.Gateway.Management;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard's sessions in a cluster (issue 17): a session started on one replica is accepted by another, a
/// sign-out anywhere ends it everywhere (by message, or at the next re-check if the message was lost), a Redis that
/// cannot answer signs no one out, and Redis holds nothing that gives away the cookie or the secret.
/// </summary>
public sealed class SharedDashboardSessionTests
{
    private const string Secret = "the-management-secret";

    [Fact]
    public async Task A_session_started_on_one_replica_is_accepted_by_another_and_ended_by_either()
    {
        var redis = new FakeRedisSessions();
        var time = new StepTime();
        var a = new DashboardSessions(time, redis.Join());
        var b = new DashboardSessions(time, redis.Join());
        var (id, csrf, _) = await a.StartAsync(Secret);

        var request = RequestWithCookie(id);
        Assert.Null(b.CsrfOf(request, Secret));
        await b.LoadAsync(request);
        Assert.Equal(csrf, b.CsrfOf(request, Secret));
        Assert.Null(b.CsrfOf(request, "another-secret"));

        // What Redis holds is keyed by the cookie's hash and names neither the cookie nor the secret.
        var stored = Assert.Single(redis.Entries);
        Assert.DoesNotContain(id, stored.Key, StringComparison.Ordinal);
        Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Secret)), stored.Value.Fingerprint);

        b.End(id);
        Assert.Empty(redis.Entries);
        Assert.Null(a.CsrfOf(RequestWithCookie(id), Secret));
    }

    [Fact]
    public async Task A_lost_sign_out_message_is_caught_at_the_next_recheck_and_a_silent_redis_signs_no_one_out()
    {
        var redis = new FakeRedisSessions { DeliverEnds = false };
        var time = new StepTime();
        var a = new DashboardSessions(time, redis.Join());
        var b = new DashboardSessions(time, redis.Join());
        var (id, csrf, _) = await a.StartAsync(Secret);
        var request = RequestWithCookie(id);
        await b.LoadAsync(request);

        b.End(id);
        await a.LoadAsync(request);
        Assert.Equal(csrf, a.CsrfOf(request, Secret));

        time.Advance(DashboardSessions.RecheckEvery);
        redis.Answering = false;
        await a.LoadAsync(request);
        Assert.Equal(csrf, a.CsrfOf(request, Secret));

        redis.Answering = true;
        await a.LoadAsync(request);
        Assert.Null(a.CsrfOf(request, Secret));
    }

    [Fact]
    public async Task Sessions_are_written_back_when_redis_returns_empty()
    {
        var redis = new FakeRedisSessions();
        var a = new DashboardSessions(new StepTime(), redis.Join());
        var (id, _, _) = await a.StartAsync(Secret);
        redis.Entries.Clear();

        redis.Restore();
        await Task.Yield();
        Assert.Single(redis.Entries);
        var b = new DashboardSessions(new StepTime(), redis.Join());
        await b.LoadAsync(RequestWithCookie(id));
        Assert.NotNull(b.CsrfOf(RequestWithCookie(id), Secret));
    }

    [Fact]
    public void What_a_replica_serves_survives_its_round_trip_through_redis()
    {
        var activity = new InstanceActivity("edge-1,eu-7f3a9c01", 3, 5, new RequestTotals(40, 2, 9000, 1), new RequestTotals(700, 9, 120000, 12));
        Assert.Equal(activity, FleetLoad.ParseActivity(FleetLoad.FormatActivity(activity)));
        Assert.Null(FleetLoad.ParseActivity("x,1,0,0,0,0,0,0,0,0,a"));
        Assert.Null(FleetLoad.ParseActivity("1,2,0,0,0,0,0,0,0,0,"));
        Assert.Null(FleetLoad.ParseActivity("1,2,a"));
        Assert.Null(FleetLoad.ParseActivity(null));
    }

    private static DefaultHttpContext RequestWithCookie(string id)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={id}";
        return http;
    }

    private sealed class StepTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    /// <summary>One Redis the replicas share: its keys, and the bus that carries sign-outs to the other replicas.</summary>
    private sealed class FakeRedisSessions
    {
        private readonly List<Replica> _replicas = [];

        public Dictionary<string, DashboardSession> Entries { get; } = new(StringComparer.Ordinal);

        public bool Answering { get; set; } = true;

        public bool DeliverEnds { get; init; } = true;

        public ISharedDashboardSessions Join()
        {
            var replica = new Replica(this);
            _replicas.Add(replica);
            return replica;
        }

        public void Restore()
        {
            foreach (var replica in _replicas)
            {
                replica.RaiseRestored();
            }
        }

        private sealed class Replica(FakeRedisSessions redis) : ISharedDashboardSessions
        {
            public event Action<string>? Ended;

            public event Action? Restored;

            public void RaiseRestored() => Restored?.Invoke();

            public Task SaveAsync(string key, DashboardSession session)
            {
                redis.Entries[key] = session;
                return Task.CompletedTask;
            }

            public Task<(bool Answered, DashboardSession? Session)> FindAsync(string key, CancellationToken cancellationToken)
                => Task.FromResult(redis.Answering ? (true, redis.Entries.GetValueOrDefault(key)) : (false, (DashboardSession?)null));

            public void Remove(string key)
            {
                redis.Entries.Remove(key);
                if (redis.DeliverEnds)
                {
                    foreach (var other in redis._replicas.Where(r => r != this))
                    {
                        other.Ended?.Invoke(key);
                    }
                }
            }
        }
    }
}
