using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Management;

/// <summary>Requests and tokens for one (day, provider, account, model, client key).</summary>
/// <param name="ClientKey">The client key's id (<c>key-1a2b3c4d</c>), never the key; null without <c>api-keys</c> (and for usage counted before keys were recorded).</param>
public sealed record UsageRow(string Day, string Provider, string Account, string Model, long Requests, long InputTokens, long OutputTokens, string? ClientKey = null);

/// <summary>
/// Usage per day, provider, account, model and client key, kept across restarts as append-only JSON lines
/// (<c>usage.jsonl</c> next to the auth dir), replayed at start and then compacted to one line per key, so start-up does
/// not grow with history. A line without <c>client_key</c> (all of them before keys were counted) is usage without a key.
/// </summary>
/// <remarks>
/// A request only adds to counters in memory. Once a second (and at shutdown) each key that changed is written as one
/// line carrying that second's counts, so the request path does no serialisation and no I/O, and the file grows with
/// the number of busy keys, not with traffic. A crash loses at most that second of usage, never the file; a torn last
/// line is skipped on replay.
/// </remarks>
public sealed partial class UsageLedger : IDisposable
{
    private readonly ConcurrentDictionary<UsageKey, long[]> _totals = new();
    private readonly Lock _pendingLock = new();
    private readonly Lock _fileLock = new();
    private readonly string? _path;
    private readonly ILogger<UsageLedger> _logger;
    private readonly Timer? _flushTimer;
    private Dictionary<UsageKey, UsageCounts> _pending = [];
    private StreamWriter? _file;
    private DayText? _day;

    public UsageLedger(string? path, ILogger<UsageLedger> logger)
    {
        _path = path;
        _logger = logger;
        if (path is not null)
        {
            Replay(path);
            Compact(path);
            _flushTimer = new Timer(_ => Flush(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The ledger file (<c>usage.jsonl</c>), or null when usage is kept in memory only.</summary>
    public string? FilePath => _path;

    public void Record(DateTimeOffset time, string provider, string account, string model, long input, long output, string? clientKey = null)
    {
        var key = new UsageKey(Day(time), provider, account, model, clientKey);
        Add(key, 1, input, output);
        if (_path is null)
        {
            return;
        }

        lock (_pendingLock)
        {
            ref var pending = ref CollectionsMarshal.GetValueRefOrAddDefault(_pending, key, out _);
            pending = new UsageCounts(pending.Requests + 1, pending.In + input, pending.Out + output);
        }
    }

    /// <summary>Appends one line per key that changed since the last flush; runs every second and at shutdown.</summary>
    public void Flush()
    {
        Dictionary<UsageKey, UsageCounts> batch;
        lock (_pendingLock)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            batch = _pending;
            _pending = [];
        }

        lock (_fileLock)
        {
            try
            {
                _file ??= new StreamWriter(OpenForAppend(_path!), new UTF8Encoding(false));
                foreach (var (key, counts) in batch)
                {
                    var entry = new UsageEntry(key.Day, key.Provider, key.Account, key.Model, counts.In, counts.Out, counts.Requests, key.ClientKey);
                    _file.Write(JsonSerializer.Serialize(entry, UsageJsonContext.Default.UsageEntry));
                    _file.Write('\n');
                }

                _file.Flush();
            }
            catch (IOException ex)
            {
                LogWriteFailed(_logger, ex, _path!);
            }
        }
    }

    public IReadOnlyList<UsageRow> Rows() => _totals
        .Select(kv => new UsageRow(kv.Key.Day, kv.Key.Provider, kv.Key.Account, kv.Key.Model, Interlocked.Read(ref kv.Value[0]), Interlocked.Read(ref kv.Value[1]), Interlocked.Read(ref kv.Value[2]), kv.Key.ClientKey))
        .Order(RowOrder.Instance)
        .ToList();

    public void Dispose()
    {
        _flushTimer?.Dispose();
        Flush();
        lock (_fileLock)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private void Add(UsageKey key, long requests, long input, long output)
    {
        var totals = _totals.GetOrAdd(key, static _ => new long[3]);
        Interlocked.Add(ref totals[0], requests);
        Interlocked.Add(ref totals[1], input);
        Interlocked.Add(ref totals[2], output);
    }

    /// <summary>The UTC day as <c>yyyy-MM-dd</c>, formatted once per day rather than once per request.</summary>
    private string Day(DateTimeOffset time)
    {
        var date = DateOnly.FromDateTime(time.UtcDateTime);
        if (_day is { } cached && cached.Date == date)
        {
            return cached.Text;
        }

        var day = new DayText(date, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        _day = day; // one reference, so a reader never sees one day's date with another day's text
        return day.Text;
    }

    private void Replay(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        foreach (var line in File.ReadLines(path))
        {
            try
            {
                if (JsonSerializer.Deserialize(line, UsageJsonContext.Default.UsageEntry) is { } entry)
                {
                    Add(new UsageKey(entry.Day, entry.Provider, entry.Account, entry.Model, entry.ClientKey), entry.Requests ?? 1, entry.In, entry.Out);
                }
            }
            catch (JsonException)
            {
                // A line torn by a crash mid-write; the rest of the ledger still counts.
            }
        }
    }

    /// <summary>Rewrites the replayed ledger as one line per key (atomically), so the next start reads little.</summary>
    private void Compact(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var lines = new StringBuilder();
        foreach (var row in Rows())
        {
            var entry = new UsageEntry(row.Day, row.Provider, row.Account, row.Model, row.InputTokens, row.OutputTokens, row.Requests, row.ClientKey);
            lines.Append(JsonSerializer.Serialize(entry, UsageJsonContext.Default.UsageEntry)).Append('\n');
        }

        try
        {
            LlmMux.Accounts.Store.AtomicFile.Write(path, Encoding.UTF8.GetBytes(lines.ToString()));
        }
        catch (IOException ex)
        {
            LogWriteFailed(_logger, ex, path);
        }
    }

    private static FileStream OpenForAppend(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    [LoggerMessage(200, LogLevel.Warning, "Could not append to the usage ledger {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path);
}

internal readonly record struct UsageKey(string Day, string Provider, string Account, string Model, string? ClientKey);

/// <summary>Rows by day, provider, account, model, then client key (no key first).</summary>
internal sealed class RowOrder : IComparer<UsageRow>
{
    public static readonly RowOrder Instance = new();

    public int Compare(UsageRow? x, UsageRow? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var c = string.CompareOrdinal(x.Day, y.Day);
        c = c != 0 ? c : string.CompareOrdinal(x.Provider, y.Provider);
        c = c != 0 ? c : string.CompareOrdinal(x.Account, y.Account);
        c = c != 0 ? c : string.CompareOrdinal(x.Model, y.Model);
        return c != 0 ? c : string.CompareOrdinal(x.ClientKey, y.ClientKey);
    }
}

internal readonly record struct UsageCounts(long Requests, long In, long Out);

internal sealed record DayText(DateOnly Date, string Text);

internal sealed record UsageEntry(
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("in")] long In,
    [property: JsonPropertyName("out")] long Out,
    [property: JsonPropertyName("n"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Requests = null,
    [property: JsonPropertyName("client_key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientKey = null);

[JsonSerializable(typeof(UsageEntry))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
