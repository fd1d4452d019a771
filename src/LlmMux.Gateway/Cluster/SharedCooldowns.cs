using System.Text.Json;
using LlmMux.Gateway.Health;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// Cooldowns, key-rejected blocks and back-off levels held as one fleet. A block this replica makes is written to
/// <c>{ns}:cool:{account}</c> (a hash of model, or <c>*</c> for the whole account, to <c>until|json</c>, expiring
/// with its last block) by a script that never shortens a later block, and announced on the bus; the others merge it
/// into their <see cref="AccountStateStore"/> at once. Nothing on the request path waits: writes are fire-and-forget,
/// and the store stays the local truth. After Redis returns, and every <see cref="ReconcileEvery"/>, a replica pushes
/// its running blocks and reads everyone's, so a message lost while Redis was away is made up for.
/// </summary>
internal sealed class SharedCooldowns : BackgroundService
{
    public static readonly TimeSpan ReconcileEvery = TimeSpan.FromSeconds(15);

    private const string EventKind = "block";
    private const string WholeAccount = "*";

    // KEYS[1] the account's hash; ARGV: field, until (unix ms), json, now (unix ms). A later block is never shortened.
    private const string MergeScript = """
        local cur = redis.call('HGET', KEYS[1], ARGV[1])
        if cur then
          local u = tonumber(string.match(cur, '^(%d+)|'))
          if u and u >= tonumber(ARGV[2]) then return 0 end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
        local left = tonumber(ARGV[2]) - tonumber(ARGV[4])
        if redis.call('PTTL', KEYS[1]) < left then redis.call('PEXPIRE', KEYS[1], left) end
        return 1
        """;

    private readonly RedisLink _link;
    private readonly ClusterBus _bus;
    private readonly AccountStateStore _store;
    private readonly TimeProvider _time;

    public SharedCooldowns(RedisLink link, ClusterBus bus, AccountStateStore store, TimeProvider time)
    {
        _link = link;
        _bus = bus;
        _store = store;
        _time = time;
        if (link.Enabled)
        {
            store.Blocked += Share;
            bus.On(EventKind, Receive);
            link.Restored += () => _ = ReconcileAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_link.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(ReconcileEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await ReconcileAsync().ConfigureAwait(false);
        }
    }

    private void Share(AccountBlock block)
    {
        Write(block, CommandFlags.FireAndForget);
        _bus.Publish(new ClusterEvent
        {
            Kind = EventKind,
            Account = block.DestinationId,
            Model = block.Model,
            Until = block.Until.ToUnixTimeMilliseconds(),
            Condition = block.Condition.ToString(),
            Strikes = block.Strikes,
            Detail = block.Detail,
        });
    }

    private void Receive(ClusterEvent message)
    {
        if (message is { Account: { } account, Until: { } until })
        {
            _store.Apply(new AccountBlock(account, message.Model, DateTimeOffset.FromUnixTimeMilliseconds(until),
                Enum.TryParse<AccountCondition>(message.Condition, out var condition) ? condition : AccountCondition.CoolingDown,
                message.Strikes ?? 0, message.Detail));
        }
    }

    private Task<RedisResult>? Write(AccountBlock block, CommandFlags flags)
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return null;
        }

        try
        {
            var json = JsonSerializer.Serialize(new SharedBlock(block.Condition.ToString(), block.Strikes, block.Detail), ClusterJsonContext.Default.SharedBlock);
            return db.ScriptEvaluateAsync(MergeScript, [_link.Key("cool:" + block.DestinationId)],
                [block.Model ?? WholeAccount, block.Until.ToUnixTimeMilliseconds(), json, _time.GetUtcNow().ToUnixTimeMilliseconds()], flags);
        }
        catch (RedisException e)
        {
            _link.Failed("cooldown write", e);
            return null;
        }
    }

    /// <summary>Pushes this replica's running blocks, then merges every block the fleet holds.</summary>
    internal async Task ReconcileAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return;
        }

        try
        {
            var writes = _store.ActiveBlocks().Select(b => Write(b, CommandFlags.None)).OfType<Task<RedisResult>>().ToList();
            await Task.WhenAll(writes).ConfigureAwait(false);
            var pattern = _link.Namespace + ":cool:";
            var redis = await _link.ConnectionAsync.ConfigureAwait(false);
            foreach (var server in redis!.GetServers())
            {
                if (server.IsReplica || !server.IsConnected)
                {
                    continue;
                }

                await foreach (var key in server.KeysAsync(db.Database, pattern + "*", pageSize: 250).ConfigureAwait(false))
                {
                    var account = ((string)key!)[pattern.Length..];
                    foreach (var field in await db.HashGetAllAsync(key).ConfigureAwait(false))
                    {
                        if (Parse(account, field) is { } block)
                        {
                            _store.Apply(block);
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or JsonException)
        {
            _link.Failed("cooldown reconcile", e);
        }
    }

    private static AccountBlock? Parse(string account, HashEntry field)
    {
        var value = (string?)field.Value ?? "";
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !long.TryParse(value.AsSpan(0, bar), out var until)
            || JsonSerializer.Deserialize(value.AsSpan(bar + 1), ClusterJsonContext.Default.SharedBlock) is not { } shared)
        {
            return null;
        }

        var model = (string?)field.Name;
        return new AccountBlock(account, model == WholeAccount ? null : model, DateTimeOffset.FromUnixTimeMilliseconds(until),
            Enum.TryParse<AccountCondition>(shared.Condition, out var condition) ? condition : AccountCondition.CoolingDown,
            shared.Strikes, shared.Detail);
    }
}

/// <summary>What a cooldown hash field holds after its <c>until|</c> prefix.</summary>
internal sealed record SharedBlock(string Condition, int Strikes, string? Detail);
