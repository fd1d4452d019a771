using System.Text.Json;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Gateway.Quota;

/// <summary>
/// Every account's last known quota windows, in memory and in <c>quota.json</c> beside the auth dir (not in it: the
/// account store reads every file there). A window at 100 % is a cooldown in <see cref="AccountStateStore"/> until its
/// reset, however far: the whole account when it governs the whole account, else its models (and their quota group).
/// Also decides when an account's windows are due to be read again (<see cref="TryClaimRead"/>).
/// </summary>
public sealed partial class QuotaStateStore
{
    /// <summary>How long a read may run before another may start (the lease a claim takes).</summary>
    internal static readonly TimeSpan ReadLease = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan FailureBackoffStart = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FailureBackoffMax = TimeSpan.FromHours(6);

    private readonly Dictionary<string, AccountQuota> _accounts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Lock _fileLock = new();
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly AccountStateStore _states;
    private readonly ILogger _logger;
    private DateTimeOffset _savedAt = DateTimeOffset.MinValue;

    /// <summary>Header updates (one per answer) are written at most this often; reads and failures are written at once.</summary>
    internal static readonly TimeSpan HeaderSaveInterval = TimeSpan.FromSeconds(10);

    /// <param name="path">Where <c>quota.json</c> lives; null keeps everything in memory.</param>
    public QuotaStateStore(string? path, TimeProvider time, AccountStateStore states, ILogger<QuotaStateStore>? logger = null)
    {
        (_path, _time, _states, _logger) = (path, time, states, (ILogger?)logger ?? NullLogger.Instance);
        Load();
    }

    /// <summary>The adaptive interval: far from the limit reads are rare, close to it frequent.</summary>
    public static TimeSpan Interval(double usedFraction) => usedFraction switch
    {
        >= 0.95 => TimeSpan.FromMinutes(1),
        >= 0.80 => TimeSpan.FromMinutes(5),
        _ => TimeSpan.FromMinutes(15),
    };

    public TimeProvider Time => _time;

    public AccountQuota? Get(string account)
    {
        lock (_lock)
        {
            return _accounts.GetValueOrDefault(account);
        }
    }

    /// <summary>The exact model names the windows of <paramref name="account"/> govern, as its provider last reported them.</summary>
    public IEnumerable<string> ReportedModels(string account) =>
        Get(account) is { } quota
            ? quota.Windows.Where(w => w.Models is not null).SelectMany(w => w.Models!).Where(m => !m.Contains('*', StringComparison.Ordinal))
            : [];

    public IReadOnlyList<AccountQuota> All()
    {
        lock (_lock)
        {
            return _accounts.Values.OrderBy(a => a.Account, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>
    /// True when <paramref name="account"/> is due for a read and no other read is running: the caller then reads and
    /// reports through <see cref="Update"/> or <see cref="Failed"/>. Cheap: one dictionary look-up under a lock.
    /// </summary>
    public bool TryClaimRead(string account)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var current = _accounts.GetValueOrDefault(account);
            if (current?.NextReadAt is { } next && next > now)
            {
                return false;
            }

            _accounts[account] = (current ?? new AccountQuota(account, [], null, null)) with { NextReadAt = now + ReadLease };
            return true;
        }
    }

    /// <summary>
    /// New windows for <paramref name="account"/> (a read, or an answer's headers): same-named windows are replaced,
    /// others kept; the next read moves out by the adaptive interval; an exhausted window cools the destination.
    /// </summary>
    /// <param name="fromHeaders">An answer's headers: written to the file at most every <see cref="HeaderSaveInterval"/>, not on every answer.</param>
    public void Update(string account, string? destinationId, ProviderType? kind, IReadOnlyList<QuotaWindow> windows, bool fromHeaders = false)
    {
        if (windows.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        AccountQuota updated;
        lock (_lock)
        {
            var current = _accounts.GetValueOrDefault(account);
            var names = windows.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
            var merged = (current?.Windows ?? []).Where(w => !names.Contains(w.Name) && !Expired(w, now)).Concat(windows).ToList();
            var destinations = current?.Destinations ?? [];
            if (destinationId is not null && !destinations.Contains(destinationId, StringComparer.Ordinal))
            {
                destinations = [.. destinations, destinationId];
            }

            updated = new AccountQuota(account, merged, now, now + Interval(merged.Max(w => w.UsedFraction)), null, 0, destinations);
            _accounts[account] = updated;
        }

        ApplyCooldowns(updated, kind, now);
        if (!fromHeaders || now - _savedAt >= HeaderSaveInterval)
        {
            Save();
        }
    }

    /// <summary>A read gave nothing (an error, a 404, an unusable answer): the next waits longer. Never cools the account.</summary>
    public void Failed(string account, string reason)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var current = _accounts.GetValueOrDefault(account) ?? new AccountQuota(account, [], null, null);
            var failures = current.Failures + 1;
            var wait = TimeSpan.FromTicks(Math.Min(FailureBackoffMax.Ticks, FailureBackoffStart.Ticks << Math.Min(failures - 1, 20)));
            _accounts[account] = current with { NextReadAt = now + wait, LastError = reason, Failures = failures };
        }

        Save();
    }

    /// <summary>
    /// The highest used fraction among the windows of <paramref name="account"/> that govern <paramref name="model"/>
    /// (and have not reset yet), and the soonest reset among them; null when it reports nothing about that model.
    /// </summary>
    public (double Used, DateTimeOffset? SoonestReset)? For(string account, string model)
    {
        // On every request, for every candidate: a plain loop, no allocation.
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_accounts.TryGetValue(account, out var quota))
            {
                return null;
            }

            double? used = null;
            DateTimeOffset? soonest = null;
            foreach (var window in quota.Windows)
            {
                if (Expired(window, now) || !Governs(window, model))
                {
                    continue;
                }

                used = Math.Max(used ?? 0, window.UsedFraction);
                if (window.ResetsAt is { } reset && (soonest is null || reset < soonest))
                {
                    soonest = reset;
                }
            }

            return used is { } fraction ? (fraction, soonest) : null;
        }
    }

    /// <summary>Whether a window counts for <paramref name="model"/>: account-wide, or the model matches one of its names or globs.</summary>
    public static bool Governs(QuotaWindow window, string model)
    {
        if (window.Models is null)
        {
            return true;
        }

        foreach (var name in window.Models)
        {
            if (string.Equals(name, model, StringComparison.OrdinalIgnoreCase)
                || (name.Contains('*', StringComparison.Ordinal) && Globs.GetOrAdd(name, static n => Rules.ModelGlobs.Of(n)).Matches(model)))
            {
                return true;
            }
        }

        return false;
    }

    // Window globs are the readers' own few patterns (claude-opus-*), so each is compiled once, not per request.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Rules.ModelGlobs> Globs = new(StringComparer.Ordinal);

    private static bool Expired(QuotaWindow window, DateTimeOffset now) => window.ResetsAt is { } reset && reset <= now;

    private void ApplyCooldowns(AccountQuota quota, ProviderType? kind, DateTimeOffset now)
    {
        foreach (var window in quota.Windows)
        {
            if (window.UsedFraction < 1 || window.ResetsAt is not { } reset || reset <= now)
            {
                continue;
            }

            var detail = $"quota window {window.Name} exhausted until {reset:u}";
            foreach (var destination in quota.Destinations ?? [])
            {
                if (window.Models is null)
                {
                    _states.CooledDown(destination, reset - now, detail);
                    continue;
                }

                foreach (var model in window.Models)
                {
                    _states.ModelDenied(destination, model, reset - now, detail);
                    if (kind?.QuotaGroup(model) is { } group && !string.Equals(group, model, StringComparison.Ordinal))
                    {
                        _states.ModelDenied(destination, group, reset - now, detail);
                    }
                }
            }
        }
    }

    /// <summary>The accounts a <c>quota.json</c> holds (for <c>llm-mux accounts</c>, which runs without a gateway); empty when there is none.</summary>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    /// <exception cref="JsonException">The file is not a quota file.</exception>
    public static IReadOnlyList<AccountQuota> ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize(stream, QuotaJsonContext.Default.QuotaFile);
        return (file?.Accounts ?? []).Where(a => a?.Account is { Length: > 0 } && a.Windows is not null).ToList();
    }

    private void Load()
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            foreach (var account in ReadFile(_path))
            {
                _accounts[account.Account] = account;
                // A window exhausted before the restart still is, until its reset.
                ApplyCooldowns(account, null, now);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            LogUnreadable(_logger, _path, e.Message);
        }
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        var file = new QuotaFile(All());
        lock (_fileLock)
        {
            _savedAt = _time.GetUtcNow();
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_path) ?? ".");
                var temp = _path + ".tmp";
                File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(file, QuotaJsonContext.Default.QuotaFile));
                File.Move(temp, _path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogUnwritable(_logger, _path, e.Message);
            }
        }
    }

    [LoggerMessage(901, LogLevel.Warning, "Quota file {Path} could not be read ({Reason}); quota windows start empty")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(902, LogLevel.Warning, "Quota file {Path} could not be written ({Reason}); quota windows stay in memory")]
    private static partial void LogUnwritable(ILogger logger, string path, string reason);
}
