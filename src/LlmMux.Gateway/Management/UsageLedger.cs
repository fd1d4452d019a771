using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Management;

/// <summary>Requests and tokens for one (day, provider, account, model).</summary>
public sealed record UsageRow(string Day, string Provider, string Account, string Model, long Requests, long InputTokens, long OutputTokens);

/// <summary>
/// Usage per day, provider, account and model, kept across restarts as append-only JSON lines (<c>usage.jsonl</c> next
/// to the auth dir), replayed at start and then compacted to one line per key, so start-up does not grow with history.
/// Lines are buffered and flushed once a second (and at shutdown) rather than per request: a crash loses at most that
/// second of usage, never the file. A torn last line is skipped on replay.
/// </summary>
public sealed partial class UsageLedger : IDisposable
{
    private readonly ConcurrentDictionary<(string Day, string Provider, string Account, string Model), long[]> _totals = new();
    private readonly Lock _fileLock = new();
    private readonly string? _path;
    private readonly ILogger<UsageLedger> _logger;
    private readonly Timer? _flushTimer;
    private StreamWriter? _file;
    private bool _dirty;

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

    public void Record(DateTimeOffset time, string provider, string account, string model, long input, long output)
    {
        var entry = new UsageEntry(time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), provider, account, model, input, output);
        Add(entry);
        if (_path is null)
        {
            return;
        }

        var line = JsonSerializer.Serialize(entry, UsageJsonContext.Default.UsageEntry);
        try
        {
            lock (_fileLock)
            {
                _file ??= new StreamWriter(OpenForAppend(_path), new UTF8Encoding(false));
                _file.Write(line);
                _file.Write('\n');
                _dirty = true;
            }
        }
        catch (IOException ex)
        {
            LogWriteFailed(_logger, ex, _path);
        }
    }

    /// <summary>Writes buffered lines to disk; runs every second and at shutdown.</summary>
    public void Flush()
    {
        lock (_fileLock)
        {
            if (!_dirty || _file is null)
            {
                return;
            }

            try
            {
                _file.Flush();
                _dirty = false;
            }
            catch (IOException ex)
            {
                LogWriteFailed(_logger, ex, _path!);
            }
        }
    }

    public IReadOnlyList<UsageRow> Rows() => _totals
        .Select(kv => new UsageRow(kv.Key.Day, kv.Key.Provider, kv.Key.Account, kv.Key.Model, Interlocked.Read(ref kv.Value[0]), Interlocked.Read(ref kv.Value[1]), Interlocked.Read(ref kv.Value[2])))
        .OrderBy(r => r.Day, StringComparer.Ordinal).ThenBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Account, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
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

    private void Add(UsageEntry e)
    {
        var totals = _totals.GetOrAdd((e.Day, e.Provider, e.Account, e.Model), _ => new long[3]);
        Interlocked.Add(ref totals[0], e.Requests ?? 1);
        Interlocked.Add(ref totals[1], e.In);
        Interlocked.Add(ref totals[2], e.Out);
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
                    Add(entry);
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
            var entry = new UsageEntry(row.Day, row.Provider, row.Account, row.Model, row.InputTokens, row.OutputTokens, row.Requests);
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

internal sealed record UsageEntry(
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("in")] long In,
    [property: JsonPropertyName("out")] long Out,
    [property: JsonPropertyName("n"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Requests = null);

[JsonSerializable(typeof(UsageEntry))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
