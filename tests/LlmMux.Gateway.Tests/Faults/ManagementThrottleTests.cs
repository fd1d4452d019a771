using LlmMux.Gateway.Management;

namespace LlmMux.Gateway.Tests.Faults;

public sealed class ManagementThrottleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static void Fail(ManagementThrottle throttle, string caller, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(throttle.TryBegin(caller, out _));
            throttle.End(caller, succeeded: false);
        }
    }

    [Fact]
    public void Lockouts_double_up_to_the_cap_and_callers_are_counted_apart()
    {
        var time = new ManualTime();
        var throttle = new ManagementThrottle(time);
        Fail(throttle, "10.0.0.1", ManagementThrottle.MaxFailures);
        Assert.False(throttle.TryBegin("10.0.0.1", out var wait));
        Assert.Equal(ManagementThrottle.FirstLockout, wait);
        Assert.True(throttle.TryBegin("10.0.0.2", out _)); // another address is not affected

        var expected = ManagementThrottle.FirstLockout;
        for (var i = 0; i < 6; i++)
        {
            time.Now += wait;
            Fail(throttle, "10.0.0.1", 1); // after a lock-out one more wrong secret locks again
            Assert.False(throttle.TryBegin("10.0.0.1", out wait));
            expected = expected * 2 > ManagementThrottle.MaxLockout ? ManagementThrottle.MaxLockout : expected * 2;
            Assert.Equal(expected, wait);
        }
    }

    [Fact]
    public void A_right_secret_clears_the_count_and_parallel_checks_are_bounded()
    {
        var throttle = new ManagementThrottle(new ManualTime());
        Fail(throttle, "loopback", ManagementThrottle.MaxFailures - 1);
        Assert.True(throttle.TryBegin("loopback", out _));
        throttle.End("loopback", succeeded: true);
        Fail(throttle, "loopback", ManagementThrottle.MaxFailures - 1); // would lock had the count survived
        Assert.True(throttle.TryBegin("loopback", out _));
        Assert.False(throttle.TryBegin("loopback", out _)); // 4 failures + 1 in flight: no fifth hash at the same time
    }

    [Fact]
    public void Every_loopback_address_is_one_caller()
    {
        Assert.Equal("loopback", ManagementThrottle.CallerOf(System.Net.IPAddress.Loopback));
        Assert.Equal("loopback", ManagementThrottle.CallerOf(System.Net.IPAddress.IPv6Loopback));
        Assert.Equal("loopback", ManagementThrottle.CallerOf(System.Net.IPAddress.Parse("127.0.0.2")));
        Assert.Equal("192.0.2.7", ManagementThrottle.CallerOf(System.Net.IPAddress.Parse("192.0.2.7")));
    }
}
