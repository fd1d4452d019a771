using LlmMux.Gateway.Management;

namespace LlmMux.Gateway.Tests.Management;

/// <summary>The Overview's last hour and day (issue 17): every request counted, not only the last 500 the log keeps.</summary>
public sealed class RequestTallyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 30, TimeSpan.Zero);

    private static RequestRecord Finished(DateTimeOffset at, int status = 200, int attempts = 1)
        => new(at, "openai", "gpt-4.1", "up", "up/key-1", status, attempts, 12, 10, 5);

    [Fact]
    public void Counts_every_request_of_the_last_hour_and_day_with_errors_tokens_and_failovers()
    {
        var log = new RequestLog();
        for (var i = 0; i < 2000; i++)
        {
            log.Add(Finished(Now.AddMinutes(-i % 30)));
        }

        log.Add(Finished(Now.AddMinutes(-5), status: 429, attempts: 3));
        log.Add(Finished(Now.AddHours(-3)));
        log.Add(Finished(Now.AddHours(-30)));

        Assert.Equal(new RequestTotals(2001, 1, 2001 * 15, 1), log.Tally.Totals(TimeSpan.FromHours(1), Now));
        Assert.Equal(new RequestTotals(2002, 1, 2002 * 15, 1), log.Tally.Totals(TimeSpan.FromDays(1), Now));
        Assert.Equal((log.Tally.Totals(TimeSpan.FromHours(1), Now), log.Tally.Totals(TimeSpan.FromDays(1), Now)), log.Tally.LastHourAndDay(Now));
        Assert.Equal(500, log.Recent(1000).Count);
    }

    [Fact]
    public void A_minute_a_day_old_is_replaced_not_added_to()
    {
        var log = new RequestLog();
        log.Add(Finished(Now.AddDays(-1)));
        log.Add(Finished(Now));

        Assert.Equal(1, log.Tally.Totals(TimeSpan.FromDays(1), Now).Requests);
        Assert.Equal(RequestTotals.None, log.Tally.Totals(TimeSpan.FromHours(1), Now.AddHours(2)));
    }
}
