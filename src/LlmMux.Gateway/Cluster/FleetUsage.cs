using System.Globalization;
using System.Security.Cryptography;
using LlmMux.Gateway.Management;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// Usage totals of the whole fleet, in Redis (<c>{ns}:usage</c>: per day, provider, account, model and client key,
/// requests and tokens in and out; a row without a client key keeps the field it had before keys were counted, so
/// a ledger's earlier contribution still matches). Each replica's usage ledger stays its own durable record; every
/// <see cref="PushEvery"/> the difference between it and what that ledger has already added to the fleet's totals
/// (<c>{ns}:usage:sent:{ledger}</c>) is added, by one script that checks the recorded contribution first, so a reply
/// lost in transit is never counted twice. A ledger is known by an id kept next to its file, so the first start in a
/// cluster imports the ledger's history, and usage made while Redis was away (or before a restart) is added when it
/// returns: nothing is lost and nothing is counted twice. The request path is untouched: it only counts in memory.
/// </summary>
internal sealed class FleetUsage : BackgroundService
{
    public static readonly TimeSpan PushEvery = TimeSpan.FromSeconds(2);

    // Separates the parts of a field; none of day, provider, account id, model or client key id can hold it.
    private const char Separator = '\u001f';

    // KEYS[1] the fleet's totals, KEYS[2] this ledger's contribution. ARGV: field, contribution as last known here,
    // new contribution, repeated. A field whose recorded contribution is not the one known here is left alone and
    // returned with the recorded value, so the caller starts again from the truth.
    private const string Script = """
        local stale = {}
        for i = 1, #ARGV, 3 do
          local f = ARGV[i]
          local cur = tonumber(redis.call('HGET', KEYS[2], f) or '0')
          if cur == tonumber(ARGV[i + 1]) then
            redis.call('HINCRBY', KEYS[1], f, tonumber(ARGV[i + 2]) - cur)
            redis.call('HSET', KEYS[2], f, ARGV[i + 2])
          else
            stale[#stale + 1] = f
            stale[#stale + 1] = tostring(cur)
          end
        end
        return stale
        """;

    private readonly RedisLink _link;
    private readonly UsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly string _ledgerId;
    private Dictionary<string, long>? _sent;
    private volatile bool _reread;

    public FleetUsage(RedisLink link, UsageLedger ledger, TimeProvider time)
    {
        _link = link;
        _ledger = ledger;
        _time = time;
        _ledgerId = LedgerId(ledger.FilePath);

        // A Redis that comes back may have come back empty (no persistence): the contributions are read again, so
        // every ledger adds its whole history back, or, if Redis kept its data, nothing twice.
        link.Restored += () => _reread = true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PushEvery, _time);
        do
        {
            await PushAsync().ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await PushAsync().ConfigureAwait(false);
    }

    /// <summary>Adds to the fleet's totals what this ledger has counted since it last did.</summary>
    internal async Task PushAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return;
        }

        if (_reread)
        {
            _reread = false;
            _sent = null;
        }

        try
        {
            var contributed = _link.Key("usage:sent:" + _ledgerId);
            _sent ??= (await db.HashGetAllAsync(contributed).ConfigureAwait(false))
                .ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
            var args = new List<RedisValue>();
            var now = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var row in _ledger.Rows())
            {
                var key = row.ClientKey is null
                    ? string.Join(Separator, row.Day, row.Provider, row.Account, row.Model)
                    : string.Join(Separator, row.Day, row.Provider, row.Account, row.Model, row.ClientKey);
                Changed(key + Separator + "n", row.Requests);
                Changed(key + Separator + "i", row.InputTokens);
                Changed(key + Separator + "o", row.OutputTokens);
            }

            if (args.Count == 0)
            {
                return;
            }

            var stale = (RedisResult[]?)await db.ScriptEvaluateAsync(Script, [_link.Key("usage"), contributed], [.. args]).ConfigureAwait(false) ?? [];
            foreach (var (field, value) in now)
            {
                _sent[field] = value;
            }

            for (var i = 0; i + 1 < stale.Length; i += 2)
            {
                _sent[(string)stale[i]!] = long.Parse((string)stale[i + 1]!, CultureInfo.InvariantCulture);
            }

            void Changed(string field, long value)
            {
                var before = _sent.GetValueOrDefault(field);
                if (value != before)
                {
                    args.Add(field);
                    args.Add(before);
                    args.Add(value);
                    now[field] = value;
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
        {
            // What was not added stays the difference between the ledger and _sent: the next push adds it.
            _link.Failed("usage push", e);
            _sent = null;
        }
    }

    /// <summary>The fleet's usage rows, or null while Redis is away (the caller shows this replica's own).</summary>
    public async Task<IReadOnlyList<UsageRow>?> RowsAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return null;
        }

        HashEntry[] entries;
        try
        {
            entries = await db.HashGetAllAsync(_link.Key("usage")).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _link.Failed("usage read", e);
            return null;
        }

        var rows = new Dictionary<(string Day, string Provider, string Account, string Model, string? ClientKey), long[]>();
        foreach (var entry in entries)
        {
            var parts = ((string?)entry.Name)?.Split(Separator);
            if (parts is not { Length: 5 or 6 } || !long.TryParse((string?)entry.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var id = (parts[0], parts[1], parts[2], parts[3], parts.Length == 6 ? parts[4] : null);
            var counts = rows.TryGetValue(id, out var found) ? found : rows[id] = new long[3];
            var slot = parts[^1] switch { "n" => 0, "i" => 1, "o" => 2, _ => -1 };
            if (slot >= 0)
            {
                counts[slot] += value;
            }
        }

        return rows
            .Select(r => new UsageRow(r.Key.Day, r.Key.Provider, r.Key.Account, r.Key.Model, r.Value[0], r.Value[1], r.Value[2], r.Key.ClientKey))
            .Order(RowOrder.Instance)
            .ToList();
    }

    /// <summary>
    /// The id of the ledger behind <paramref name="path"/>, kept in <c>usage.id</c> beside it (made on first use), so a
    /// restarted replica goes on from what its ledger already added; a ledger in memory only gets a new one.
    /// </summary>
    private static string LedgerId(string? path)
    {
        var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        if (path is null)
        {
            return fresh;
        }

        var idPath = Path.Combine(Path.GetDirectoryName(path) ?? ".", "usage.id");
        try
        {
            if (File.Exists(idPath) && File.ReadAllText(idPath).Trim() is { Length: 16 } existing && existing.All(char.IsAsciiHexDigitLower))
            {
                return existing;
            }

            LlmMux.Accounts.Store.AtomicFile.Write(idPath, System.Text.Encoding.ASCII.GetBytes(fresh + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unwritable: this run's usage is still added once; a restart would add the ledger's history again.
        }

        return fresh;
    }
}
