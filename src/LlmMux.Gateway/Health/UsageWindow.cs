namespace LlmMux.Gateway.Health;

/// <summary>
/// Requests and tokens per minute over the last day, in a ring of minute buckets: O(1) to record, O(window) to sum,
/// fixed memory per account.
/// </summary>
internal sealed class UsageWindow
{
    private const int Minutes = 24 * 60;
    private readonly long[] _minute = new long[Minutes];
    private readonly long[] _requests = new long[Minutes];
    private readonly long[] _tokens = new long[Minutes];

    public void Add(DateTimeOffset now, long requests, long tokens)
    {
        var slot = Slot(now, out var minute);
        if (_minute[slot] != minute)
        {
            _minute[slot] = minute;
            _requests[slot] = 0;
            _tokens[slot] = 0;
        }

        _requests[slot] += requests;
        _tokens[slot] += tokens;
    }

    /// <summary>Totals over the last <paramref name="minutes"/> minutes, the current one included.</summary>
    public (long Requests, long Tokens) Sum(DateTimeOffset now, int minutes)
    {
        Slot(now, out var current);
        long requests = 0, tokens = 0;
        for (var m = current - minutes + 1; m <= current; m++)
        {
            var slot = (int)(m % Minutes);
            if (_minute[slot] == m)
            {
                requests += _requests[slot];
                tokens += _tokens[slot];
            }
        }

        return (requests, tokens);
    }

    private static int Slot(DateTimeOffset now, out long minute)
    {
        minute = now.ToUnixTimeSeconds() / 60;
        return (int)(minute % Minutes);
    }
}
