namespace LlmMux.Gateway.Management;

/// <summary>
/// Requests, errors, tokens and failovers per minute over the last day, in a ring of 1440 minutes: what the Overview's
/// "last hour" and "last day" count, whatever the traffic (the request log keeps only the last 500 requests). Kept in
/// memory: a restart starts the count again.
/// </summary>
internal sealed class RequestTally
{
    private const int Minutes = 24 * 60;
    private readonly long[] _minute = new long[Minutes];
    private readonly RequestTotals[] _totals = new RequestTotals[Minutes];
    private readonly Lock _lock = new();

    public void Add(RequestRecord record)
    {
        var minute = record.Time.ToUnixTimeSeconds() / 60;
        var slot = (int)(minute % Minutes);
        var one = new RequestTotals(1, record.Status >= 400 ? 1 : 0, record.InputTokens + record.OutputTokens, record.Attempts > 1 ? 1 : 0);
        lock (_lock)
        {
            _totals[slot] = _minute[slot] == minute ? _totals[slot].Plus(one) : one;
            _minute[slot] = minute;
        }
    }

    /// <summary>What finished in the <paramref name="window"/> (whole minutes, at most a day) up to <paramref name="now"/>.</summary>
    public RequestTotals Totals(TimeSpan window, DateTimeOffset now) => Totals(window, TimeSpan.Zero, now).Window;

    /// <summary>The last hour's and the last day's totals in one pass over the ring (read every 250 ms in a cluster).</summary>
    public (RequestTotals Hour, RequestTotals Day) LastHourAndDay(DateTimeOffset now)
    {
        var (day, hour) = Totals(TimeSpan.FromDays(1), TimeSpan.FromHours(1), now);
        return (hour, day);
    }

    private (RequestTotals Window, RequestTotals Inner) Totals(TimeSpan window, TimeSpan inner, DateTimeOffset now)
    {
        var last = now.ToUnixTimeSeconds() / 60;
        var first = last - Math.Clamp((long)window.TotalMinutes, 1, Minutes) + 1;
        var innerFirst = last - Math.Clamp((long)inner.TotalMinutes, 0, Minutes) + 1;
        RequestTotals outer = default, within = default;
        lock (_lock)
        {
            for (var i = 0; i < Minutes; i++)
            {
                if (_minute[i] >= first && _minute[i] <= last)
                {
                    outer = outer.Plus(_totals[i]);
                    if (_minute[i] >= innerFirst)
                    {
                        within = within.Plus(_totals[i]);
                    }
                }
            }
        }

        return (outer, within);
    }
}
