using LlmMux.Gateway.Health;

namespace LlmMux.Gateway.Tests.Health;

/// <summary>How a replica merges the blocks others report (issue 16): nothing running is ever shortened.</summary>
public sealed class SharedBlockMergeTests
{
    private readonly Quota.QuotaStateStoreTests.ManualTime _time = new();
    private readonly AccountStateStore _store;
    private readonly List<AccountBlock> _raised = [];

    public SharedBlockMergeTests()
    {
        _store = new AccountStateStore(_time);
        _store.Blocked += _raised.Add;
    }

    [Fact]
    public void What_this_replica_blocks_is_raised_with_its_end_and_level()
    {
        var reset = _time.Now.AddHours(5);
        _store.RateLimited("p/a", "m1", reset, "HTTP 429");
        _store.KeyRejected("p/b", "HTTP 401");
        _store.ServerFailed("p/c", "HTTP 503");
        _store.ServerFailed("p/c", "HTTP 503");

        Assert.Equal(new AccountBlock("p/a", "m1", reset, AccountCondition.CoolingDown, 1, "HTTP 429"), _raised[0]);
        Assert.Equal((null, AccountCondition.KeyRejected), (_raised[1].Model, _raised[1].Condition));
        Assert.Equal((2, _time.Now.AddSeconds(10)), (_raised[3].Strikes, _raised[3].Until));
    }

    [Fact]
    public void A_remote_block_applies_and_a_shorter_one_never_shortens_it()
    {
        var far = _time.Now.AddHours(3);
        _store.Apply(new AccountBlock("p/a", "m1", far, AccountCondition.CoolingDown, 2, "HTTP 429 on replica b"));
        _store.Apply(new AccountBlock("p/a", "m1", _time.Now.AddMinutes(1), AccountCondition.CoolingDown, 1, "later, shorter"));
        Assert.True(_store.IsBlocked("p/a", "m1", out var until));
        Assert.Equal(far, until);

        // Local back-off continues from the fleet's level: the next 429 without a reset waits 30 s << 2.
        _time.Now = far.AddSeconds(1);
        var next = _store.RateLimited("p/a", "m1", null, "HTTP 429");
        Assert.Equal(_time.Now + AccountStateStore.QuotaBackoffStart * 4, next);

        _store.Apply(new AccountBlock("p/b", null, _time.Now.AddMinutes(30), AccountCondition.KeyRejected, 0, "HTTP 401"));
        Assert.Equal(AccountCondition.KeyRejected, _store.Status("p/b").State);
        Assert.True(_store.IsBlocked("p/b", "any-model", out _));
        Assert.Single(_raised); // only the local 429: what came from the cluster is not sent back
    }

    [Fact]
    public void Running_blocks_are_listed_for_a_push_and_ended_ones_are_not()
    {
        _store.RateLimited("p/a", "m1", _time.Now.AddMinutes(10), "HTTP 429");
        _store.ServerFailed("p/b", "HTTP 502");
        _store.Apply(new AccountBlock("p/c", "m2", _time.Now.AddSeconds(-1), AccountCondition.CoolingDown, 1, "already over"));

        var blocks = _store.ActiveBlocks();
        Assert.Equal(["p/a:m1", "p/b:*"], blocks.Select(b => $"{b.DestinationId}:{b.Model ?? "*"}").Order(StringComparer.Ordinal));
    }
}
