using System.Collections.Concurrent;
using System.Text.Json;
using LlmMux.Gateway.Management;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The fleet's recent request log: <c>{ns}:requests</c>, a list capped at <see cref="RequestLog.Capacity"/>, each
/// record marked with the replica that served it. A finished request is queued in memory (the request path does
/// nothing more) and the queue is written every <see cref="PushEvery"/>; while Redis is away the newest
/// <see cref="RequestLog.Capacity"/> wait and are written when it returns. Reads sort by time, so a late batch lands
/// where it belongs.
/// </summary>
internal sealed class FleetRequests : BackgroundService
{
    public static readonly TimeSpan PushEvery = TimeSpan.FromMilliseconds(500);

    private readonly RedisLink _link;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<RequestRecord> _queue = new();

    public FleetRequests(RedisLink link, RequestLog log, TimeProvider time)
    {
        _link = link;
        _time = time;
        log.Added += record =>
        {
            _queue.Enqueue(record with { Instance = link.InstanceId });
            while (_queue.Count > RequestLog.Capacity && _queue.TryDequeue(out _))
            {
            }
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PushEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await PushAsync().ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await PushAsync().ConfigureAwait(false);
    }

    internal async Task PushAsync()
    {
        if (_queue.IsEmpty || !_link.TryGetDatabase(out var db))
        {
            return;
        }

        var batch = new List<RequestRecord>();
        while (batch.Count < RequestLog.Capacity && _queue.TryPeek(out var record))
        {
            batch.Add(record);
            _queue.TryDequeue(out _);
        }

        var values = batch.Select(r => (RedisValue)JsonSerializer.Serialize(r, ManagementJsonContext.Default.RequestRecord)).ToArray();
        try
        {
            var key = _link.Key("requests");
            var transaction = db.CreateTransaction();
            _ = transaction.ListLeftPushAsync(key, values);
            _ = transaction.ListTrimAsync(key, 0, RequestLog.Capacity - 1);
            await transaction.ExecuteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Put back for the next push (the newest kept if that overflows).
            _link.Failed("request log push", e);
            foreach (var record in batch)
            {
                _queue.Enqueue(record);
            }
        }
    }

    /// <summary>The fleet's most recent requests, newest first, or null while Redis is away.</summary>
    public async Task<IReadOnlyList<RequestRecord>?> RecentAsync(int limit)
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return null;
        }

        RedisValue[] values;
        try
        {
            values = await db.ListRangeAsync(_link.Key("requests"), 0, RequestLog.Capacity - 1).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _link.Failed("request log read", e);
            return null;
        }

        var records = new List<RequestRecord>(values.Length);
        foreach (var value in values)
        {
            try
            {
                if (JsonSerializer.Deserialize((string?)value ?? "", ManagementJsonContext.Default.RequestRecord) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                // Written by another version: left out rather than failing the page.
            }
        }

        return records.OrderByDescending(r => r.Time).Take(limit).ToList();
    }
}
