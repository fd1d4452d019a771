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
/// to the auth dir): one line per finished request, replayed at start. Append-only survives a crash mid-write: a torn
/// last line is skipped on replay.
/// </summary>
public sealed partial class UsageLedger : IDisposable
{
    private readonly ConcurrentDictionary<(string Day, string Provider, string Account, string Model), long[]> _totals = new();
    private readonly Lock _fileLock = new();
    private readonly string? _path;
    private readonly ILogger<UsageLedger> _logger;
    private FileStream? _file;

    public UsageLedger(string? path, ILogger<UsageLedger> logger)
    {
        _path = path;
        _logger = logger;
        if (path is not null)
        {
            Replay(path);
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

        var line = JsonSerializer.Serialize(entry, UsageJsonContext.Default.UsageEntry) + "\n";
        try
        {
            lock (_fileLock)
            {
                _file ??= OpenForAppend(_path);
                _file.Write(Encoding.UTF8.GetBytes(line));
                _file.Flush();
            }
        }
        catch (IOException ex)
        {
            LogWriteFailed(_logger, ex, _path);
        }
    }

    public IReadOnlyList<UsageRow> Rows() => _totals
        .Select(kv => new UsageRow(kv.Key.Day, kv.Key.Provider, kv.Key.Account, kv.Key.Model, Interlocked.Read(ref kv.Value[0]), Interlocked.Read(ref kv.Value[1]), Interlocked.Read(ref kv.Value[2])))
        .OrderBy(r => r.Day, StringComparer.Ordinal).ThenBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Account, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
        .ToList();

    public void Dispose()
    {
        lock (_fileLock)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private void Add(UsageEntry e)
    {
        var totals = _totals.GetOrAdd((e.Day, e.Provider, e.Account, e.Model), _ => new long[3]);
        Interlocked.Increment(ref totals[0]);
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
    [property: JsonPropertyName("out")] long Out);

[JsonSerializable(typeof(UsageEntry))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
