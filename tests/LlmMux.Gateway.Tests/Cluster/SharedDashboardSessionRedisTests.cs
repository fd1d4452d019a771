using LlmMux.Gateway.Cluster;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Dashboard;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Gateway.Tests.Cluster;

/// <summary>
/// The dashboard's fleet sessions against a real redis-server (issue 17): a sign-out leaves a tombstone that no
/// replica's write-back can revive, and a sign-out made while Redis was away is sent when it returns.
/// </summary>
public sealed class SharedDashboardSessionRedisTests : IAsyncLifetime
{
    private const string Secret = "the-management-secret";
    private RedisServer _server = null!;
    private readonly List<RedisLink> _links = [];

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var link in _links)
        {
            await link.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    private async Task<(DashboardSessions Sessions, SharedDashboardSessions Shared)> ReplicaAsync()
    {
        var link = new RedisLink(new ClusterOptions { Redis = _server.Url, Namespace = "t" }, NullLogger<RedisLink>.Instance);
        _links.Add(link);
        await link.ConnectionAsync;
        var shared = new SharedDashboardSessions(link, new ClusterBus(link), TimeProvider.System);
        return (new DashboardSessions(TimeProvider.System, shared), shared);
    }

    private static DefaultHttpContext Browser(string id)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={id}";
        return http;
    }

    [Fact]
    public async Task A_signed_out_session_is_not_revived_by_a_write_back_and_a_new_replica_refuses_it()
    {
        var (a, sharedA) = await ReplicaAsync();
        var (b, _) = await ReplicaAsync();
        var (id, csrf, _) = await a.StartAsync(Secret);
        await b.LoadAsync(Browser(id));
        Assert.Equal(csrf, b.CsrfOf(Browser(id), Secret));

        b.End(id);
        // Replica A still holds it (say the message is slow): what it writes back when Redis returns must not revive it.
        await sharedA.SaveAsync(SessionKey(id), new DashboardSession(csrf, DateTimeOffset.UtcNow.AddHours(1), []));

        var (c, _) = await ReplicaAsync();
        await c.LoadAsync(Browser(id));
        Assert.Null(c.CsrfOf(Browser(id), Secret));
    }

    [Fact]
    public async Task A_sign_out_made_while_redis_was_away_is_sent_when_it_returns()
    {
        var (a, _) = await ReplicaAsync();
        var (b, _) = await ReplicaAsync();
        var (id, _, _) = await a.StartAsync(Secret);
        var (kept, _, _) = await a.StartAsync(Secret);

        await _server.StopAsync();
        await ClusterEventually(() => Task.FromResult(!_links[1].Connected));
        b.End(id);
        await _server.StartAgainAsync();

        // Redis came back empty; A writes its session back, B's tombstone is sent: a new replica must refuse the cookie.
        await ClusterEventually(() => Task.FromResult(_links.All(l => l.Connected)));
        var (c, sharedC) = await ReplicaAsync();
        await ClusterEventually(async () =>
        {
            await c.LoadAsync(Browser(kept));
            return c.CsrfOf(Browser(kept), Secret) is not null;
        });

        // A wrote both its sessions back; the signed-out one ends up a tombstone whichever landed first.
        await ClusterEventually(async () => await sharedC.FindAsync(SessionKey(id), default) is (true, null));
        await c.LoadAsync(Browser(id));
        Assert.Null(c.CsrfOf(Browser(id), Secret));
    }

    private static string SessionKey(string id) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));

    private static async Task ClusterEventually(Func<Task<bool>> condition, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "never happened");
            await Task.Delay(50);
        }
    }
}
