using System.Net.Http.Headers;
using LlmMux.Gateway.Health;

namespace LlmMux.Gateway.Tests.Health;

public sealed class AccountStateStoreTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualTime _time = new();
    private readonly AccountStateStore _store;

    public AccountStateStoreTests() => _store = new AccountStateStore(_time);

    [Fact]
    public void A_429_blocks_only_that_model_until_the_reset_however_far()
    {
        var reset = _time.Now.AddDays(2);
        _store.RateLimited("p/a", "m1", reset, "HTTP 429");

        Assert.True(_store.IsBlocked("p/a", "m1", out var until));
        Assert.Equal(reset, until);
        Assert.False(_store.IsBlocked("p/a", "m2", out _));
        _time.Now = reset.AddSeconds(1);
        Assert.False(_store.IsBlocked("p/a", "m1", out _));
    }

    [Fact]
    public void Without_a_reset_429s_back_off_from_30_seconds_doubling_until_a_success()
    {
        Assert.Equal(_time.Now.AddSeconds(30), _store.RateLimited("p/a", "m", null, "x"));
        Assert.Equal(_time.Now.AddSeconds(60), _store.RateLimited("p/a", "m", null, "x"));
        Assert.Equal(_time.Now.AddSeconds(120), _store.RateLimited("p/a", "m", null, "x"));
        _store.Succeeded("p/a", "m");
        Assert.Equal(_time.Now.AddSeconds(30), _store.RateLimited("p/a", "m", null, "x"));
    }

    [Fact]
    public void Server_failures_cool_the_whole_account_briefly()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), _store.ServerFailed("p/a", "HTTP 500"));
        Assert.Equal(TimeSpan.FromSeconds(10), _store.ServerFailed("p/a", "HTTP 500"));
        Assert.True(_store.IsBlocked("p/a", "any-model", out _));
        var status = _store.Status("p/a");
        Assert.Equal(AccountCondition.CoolingDown, status.State);
        Assert.Equal("HTTP 500", status.LastError);
    }

    private sealed class OtherReplicas : IFleetLoad
    {
        public FleetAccountLoad Load { get; set; }

        public FleetAccountLoad Others(string destinationId) => destinationId == "p/a" ? Load : default;
    }

    [Fact]
    public void In_a_cluster_the_learned_rate_counts_what_every_replica_sent()
    {
        var others = new OtherReplicas { Load = new FleetAccountLoad(0, 3, 3, 3, 0, null) };
        var store = new AccountStateStore(_time, others);
        store.AttemptSent("p/a");
        store.AttemptSent("p/a");

        // Two here and three elsewhere this minute when the 429 came: the account takes five a minute, not two.
        store.RateLimited("p/a", "m", _time.Now.AddSeconds(1), "HTTP 429");
        Assert.Equal(5, store.Status("p/a").LearnedRequestsPerMinute);

        // A later minute: one sent here, three elsewhere; near five only with the fleet's counts.
        _time.Now = _time.Now.AddMinutes(2);
        store.AttemptSent("p/a");
        others.Load = new FleetAccountLoad(0, 2, 2, 2, 0, null);
        Assert.False(store.NearLearnedLimit("p/a"));
        others.Load = new FleetAccountLoad(0, 3, 3, 3, 0, null);
        Assert.True(store.NearLearnedLimit("p/a"));
    }

    [Fact]
    public void A_limit_another_replica_learned_holds_here_too()
    {
        var others = new OtherReplicas { Load = new FleetAccountLoad(0, 1, 1, 1, 0, 4) };
        var store = new AccountStateStore(_time, others);
        store.AttemptSent("p/a");
        Assert.False(store.NearLearnedLimit("p/a"));
        store.AttemptSent("p/a");
        Assert.True(store.NearLearnedLimit("p/a"));
        Assert.False(store.NearLearnedLimit("p/b"));
    }

    [Fact]
    public void The_request_rate_at_a_429_is_learned_and_an_account_near_it_is_flagged()
    {
        for (var i = 0; i < 5; i++)
        {
            _store.AttemptSent("p/a");
        }

        _store.RateLimited("p/a", "m", _time.Now.AddSeconds(1), "HTTP 429");
        Assert.Equal(5, _store.Status("p/a").LearnedRequestsPerMinute);

        _time.Now = _time.Now.AddMinutes(2);
        Assert.False(_store.NearLearnedLimit("p/a"));
        for (var i = 0; i < 4; i++)
        {
            _store.AttemptSent("p/a");
        }

        Assert.True(_store.NearLearnedLimit("p/a"));
        Assert.Equal(9, _store.Status("p/a").RequestsLastHour);
    }
}
