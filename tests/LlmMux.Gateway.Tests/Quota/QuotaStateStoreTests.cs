using LlmMux.Gateway.Health;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Tests.Quota;

public sealed class QuotaStateStoreTests : IDisposable
{
    internal sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualTime _time = new();
    private readonly AccountStateStore _states;
    private readonly string _dir = Directory.CreateTempSubdirectory("llm-mux-quota-").FullName;
    private string FilePath => Path.Combine(_dir, "quota.json");

    public QuotaStateStoreTests() => _states = new AccountStateStore(_time);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private QuotaStateStore NewStore(AccountStateStore? states = null) => new(FilePath, _time, states ?? _states);

    [Fact]
    public void A_whole_account_window_at_100_percent_cools_the_account_until_its_reset_days_away()
    {
        var store = NewStore();
        var reset = _time.Now.AddDays(5);
        store.Update("acct", "claude/acct", null, [new QuotaWindow("weekly", 1.0, reset)]);

        Assert.True(_states.IsBlocked("claude/acct", "any-model", out var until));
        Assert.Equal(reset, until);
        _time.Now = reset.AddSeconds(1);
        Assert.False(_states.IsBlocked("claude/acct", "any-model", out _));
    }

    [Fact]
    public void A_family_window_at_100_percent_blocks_only_its_models()
    {
        var store = NewStore();
        var reset = _time.Now.AddHours(3);
        store.Update("acct", "g/acct", null, [new QuotaWindow("gemini-2.5-pro", 1.0, reset, ["gemini-2.5-pro"])]);

        Assert.True(_states.IsBlocked("g/acct", "gemini-2.5-pro", out var until));
        Assert.Equal(reset, until);
        Assert.False(_states.IsBlocked("g/acct", "gemini-2.5-flash", out _));
    }

    [Fact]
    public void A_window_below_100_percent_cools_nothing()
    {
        var store = NewStore();
        store.Update("acct", "claude/acct", null, [new QuotaWindow("five-hour", 0.99, _time.Now.AddHours(1))]);

        Assert.False(_states.IsBlocked("claude/acct", "m", out _));
        Assert.Equal(0.99, store.For("acct", "m")!.Value.Used);
    }

    [Fact]
    public void Windows_survive_a_restart_and_an_exhausted_one_still_cools()
    {
        var reset = _time.Now.AddDays(2);
        NewStore().Update("acct", "claude/acct", null, [new QuotaWindow("weekly", 1.0, reset), new QuotaWindow("five-hour", 0.3, _time.Now.AddHours(2))]);
        Assert.True(File.Exists(FilePath));

        var fresh = new AccountStateStore(_time);
        var reloaded = NewStore(fresh);

        Assert.Equal(["weekly", "five-hour"], reloaded.Get("acct")!.Windows.Select(w => w.Name));
        Assert.True(fresh.IsBlocked("claude/acct", "m", out var until));
        Assert.Equal(reset, until);
    }

    [Fact]
    public void An_unreadable_file_starts_empty()
    {
        File.WriteAllText(FilePath, "{ not json");
        Assert.Empty(NewStore().All());
    }

    [Fact]
    public void Same_named_windows_are_replaced_others_kept_and_reset_windows_stop_counting()
    {
        var store = NewStore();
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", 0.5, _time.Now.AddHours(1)), new QuotaWindow("weekly", 0.2, _time.Now.AddDays(3))]);
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", 0.7, _time.Now.AddHours(1))]);

        Assert.Equal(0.7, store.For("acct", "m")!.Value.Used);
        Assert.Equal(_time.Now.AddHours(1), store.For("acct", "m")!.Value.SoonestReset);
        _time.Now = _time.Now.AddHours(2);
        Assert.Equal(0.2, store.For("acct", "m")!.Value.Used);
    }

    [Fact]
    public void Model_windows_govern_their_models_and_globs_only()
    {
        var store = NewStore();
        store.Update("acct", "p/acct", null, [new QuotaWindow("weekly-opus", 0.9, null, ["claude-opus-*"])]);

        Assert.Equal(0.9, store.For("acct", "claude-opus-4-5")!.Value.Used);
        Assert.Null(store.For("acct", "claude-sonnet-4-5"));
    }

    [Theory]
    [InlineData(0.5, 15)]
    [InlineData(0.85, 5)]
    [InlineData(0.96, 1)]
    public void The_next_read_is_due_sooner_the_closer_the_limit(double used, int minutes)
    {
        var store = NewStore();
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", used, null)]);

        Assert.Equal(_time.Now.AddMinutes(minutes), store.Get("acct")!.NextReadAt);
        Assert.False(store.TryClaimRead("acct"));
        _time.Now = _time.Now.AddMinutes(minutes);
        Assert.True(store.TryClaimRead("acct"));
    }

    [Fact]
    public void One_read_at_a_time_and_failures_back_off_exponentially_without_cooling()
    {
        var store = NewStore();
        Assert.True(store.TryClaimRead("acct"));
        Assert.False(store.TryClaimRead("acct"));

        store.Failed("acct", "HTTP 404");
        Assert.Equal(_time.Now.AddMinutes(1), store.Get("acct")!.NextReadAt);
        _time.Now = _time.Now.AddMinutes(1);
        Assert.True(store.TryClaimRead("acct"));
        store.Failed("acct", "HTTP 404");
        Assert.Equal(_time.Now.AddMinutes(2), store.Get("acct")!.NextReadAt);
        Assert.Equal("HTTP 404", store.Get("acct")!.LastError);
        Assert.False(_states.IsBlocked("p/acct", "m", out _));
    }

    [Fact]
    public void Header_updates_are_written_at_most_every_ten_seconds_reads_at_once()
    {
        var store = NewStore();
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", 0.1, null)], fromHeaders: true);
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", 0.2, null)], fromHeaders: true);
        Assert.Equal(0.1, NewStore(new AccountStateStore(_time)).Get("acct")!.Windows[0].UsedFraction);

        _time.Now = _time.Now.AddSeconds(10);
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", 0.3, null)], fromHeaders: true);
        Assert.Equal(0.3, NewStore(new AccountStateStore(_time)).Get("acct")!.Windows[0].UsedFraction);
        store.Update("acct", "p/acct", null, [new QuotaWindow("five-hour", 0.4, null)]);
        Assert.Equal(0.4, NewStore(new AccountStateStore(_time)).Get("acct")!.Windows[0].UsedFraction);
    }

    [Fact]
    public void The_file_lives_where_it_is_told_not_in_the_auth_dir()
    {
        var path = Microsoft.Extensions.DependencyInjection.LlmMuxServiceCollectionExtensions.QuotaFilePath("/home/u/.config/llm-mux/auth");
        Assert.Equal("/home/u/.config/llm-mux/quota.json", path);
    }
}
