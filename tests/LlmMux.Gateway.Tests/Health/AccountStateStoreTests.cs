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
