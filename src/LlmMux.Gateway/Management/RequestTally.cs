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
            _totals[slot] = _minute[slot] == minute && _totals[slot] is { } sofar ? sofar.Plus(one) : one;
            _minute[slot] = minute;
        }
    }

    /// <summary>What finished in the <paramref name="window"/> (whole minutes, at most a day) up to <paramref name="now"/>.</summary>
    public RequestTotals Totals(TimeSpan window, DateTimeOffset now)
    {
        var last = now.ToUnixTimeSeconds() / 60;
        var first = last - Math.Clamp((long)window.TotalMinutes, 1, Minutes) + 1;
        var sum = RequestTotals.None;
        lock (_lock)
        {
            for (var i = 0; i < Minutes; i++)
            {
                if (_minute[i] >= first && _minute[i] <= last && _totals[i] is { } totals)
                {
                    sum = sum.Plus(totals);
                }
            }
        }

        return sum;
    }
}
