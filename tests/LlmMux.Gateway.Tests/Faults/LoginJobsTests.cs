using LlmMux.Gateway.Management;

namespace LlmMux.Gateway.Tests.Faults;

public sealed class LoginJobsTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Pending_logins_are_capped_and_finished_ones_are_dropped_after_an_hour()
    {
        var time = new ManualTime();
        var jobs = new LoginJobs(time);
        var started = Enumerable.Range(0, LoginJobs.MaxPending).Select(_ => jobs.TryStart("claude")!).ToList();
        Assert.Null(jobs.TryStart("claude"));

        started[0].Failed("login failed (SocketException)");
        Assert.NotNull(jobs.TryStart("claude")); // a finished job frees its place at once
        Assert.Equal("failed", jobs.Find(started[0].Id)!.View().State);

        time.Now += LoginJobs.KeepFinished + TimeSpan.FromSeconds(1);
        Assert.Null(jobs.Find(started[0].Id));
        // Pending for over an hour means stuck (a login times out after 10 minutes): those go too.
        Assert.Null(jobs.Find(started[1].Id));
        Assert.NotNull(jobs.TryStart("codex"));
    }
}
