using System.Net;
using LlmMux.Gateway.Security;

namespace LlmMux.Gateway.Management;

/// <summary>
/// Wrong management secrets per caller (remote address; every loopback caller is one caller). After
/// <see cref="MaxFailures"/> within <see cref="Window"/> the caller is locked out for a minute, doubling with each further
/// lock-out up to <see cref="MaxLockout"/>. While locked out every call, the right secret included, is 429 without
/// running the hash: a guesser learns nothing and costs no CPU. The right secret outside a lock-out clears the record.
/// </summary>
internal sealed class ManagementThrottle(TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);

    /// <summary>A caller whose last failure is older than this starts from scratch.</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromHours(1);

    /// <summary>Bounds memory when remote callers rotate addresses; past it, the quiet ones are dropped first.</summary>
    private const int MaxCallers = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Caller> _callers = new(StringComparer.Ordinal);

    public static string CallerOf(IPAddress? remote) => Security.Caller.IsLoopback(remote) ? "loopback" : remote!.ToString();

    /// <summary>
    /// Reserves one check for <paramref name="caller"/>, or gives the wait when it is locked out. Checks in flight count
    /// as failures until they end, so parallel guesses cannot run more hashes than the limit allows.
    /// </summary>
    public bool TryBegin(string caller, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var state = Get(caller, now);
            if (state.LockedUntil > now)
            {
                retryAfter = state.LockedUntil - now;
                return false;
            }

            if (state.Failures + state.InFlight >= MaxFailures)
            {
                retryAfter = TimeSpan.FromSeconds(1);
                return false;
            }

            state.InFlight++;
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    public void End(string caller, bool succeeded)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var state = Get(caller, now);
            state.InFlight = Math.Max(0, state.InFlight - 1);
            if (succeeded)
            {
                if (state.InFlight == 0)
                {
                    _callers.Remove(caller);
                }
                else
                {
                    (state.Failures, state.Lockouts) = (0, 0);
                }

                return;
            }

            if (now - state.WindowStart > Window)
            {
                (state.Failures, state.WindowStart) = (0, now);
            }

            state.Failures++;
            state.LastFailure = now;
            // After a lock-out has been served, one more wrong secret locks again, for twice as long.
            if (state.Failures >= MaxFailures || state.Lockouts > 0)
            {
                var lockout = FirstLockout * Math.Pow(2, Math.Min(state.Lockouts, 10));
                state.LockedUntil = now + (lockout > MaxLockout ? MaxLockout : lockout);
                state.Lockouts++;
                state.Failures = 0;
            }
        }
    }

    private Caller Get(string caller, DateTimeOffset now)
    {
        if (_callers.TryGetValue(caller, out var state))
        {
            if (state.InFlight == 0 && state.LockedUntil <= now && now - state.LastFailure > Forget)
            {
                state = _callers[caller] = new Caller { WindowStart = now };
            }

            return state;
        }

        if (_callers.Count >= MaxCallers)
        {
            foreach (var quiet in _callers.Where(c => c.Value.InFlight == 0 && c.Value.LockedUntil <= now && now - c.Value.LastFailure > Window).Select(c => c.Key).ToList())
            {
                _callers.Remove(quiet);
            }
        }

        // Still full: the newcomer shares one record with the other overflow callers rather than growing the map.
        var key = _callers.Count >= MaxCallers ? "overflow" : caller;
        if (!_callers.TryGetValue(key, out state))
        {
            state = _callers[key] = new Caller { WindowStart = now };
        }

        return state;
    }

    private sealed class Caller
    {
        public int Failures { get; set; }
        public int InFlight { get; set; }
        public int Lockouts { get; set; }
        public DateTimeOffset WindowStart { get; set; }
        public DateTimeOffset LastFailure { get; set; }
        public DateTimeOffset LockedUntil { get; set; }
    }
}
