using System.Collections.Concurrent;
using System.Text.Json;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The fleet's one pub/sub channel (<c>{namespace}:events</c>). <see cref="Publish"/> never waits: it hands the message
/// to the multiplexer fire-and-forget and drops it while Redis is away (the reconcile on reconnect covers what was
/// missed). Handlers run on the multiplexer's thread and must be quick and must not throw.
/// </summary>
internal sealed class ClusterBus
{
    private readonly RedisLink _link;
    private readonly ConcurrentDictionary<string, Action<ClusterEvent>> _handlers = new(StringComparer.Ordinal);
    private int _subscribed;

    public ClusterBus(RedisLink link) => _link = link;

    public string InstanceId => _link.InstanceId;

    /// <summary>Runs <paramref name="handler"/> for every <paramref name="kind"/> another replica publishes.</summary>
    public void On(string kind, Action<ClusterEvent> handler)
    {
        _handlers[kind] = handler;
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            _ = SubscribeAsync();
        }
    }

    public void Publish(ClusterEvent message)
    {
        if (!_link.Enabled || !_link.TryGetDatabase(out var db))
        {
            return;
        }

        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(message with { Origin = _link.InstanceId }, ClusterJsonContext.Default.ClusterEvent);
            db.Publish(_link.Channel("events"), payload, CommandFlags.FireAndForget);
        }
        catch (RedisException e)
        {
            _link.Failed("publish", e);
        }
    }

    private async Task SubscribeAsync()
    {
        if (await _link.ConnectionAsync.ConfigureAwait(false) is not { } redis)
        {
            return;
        }

        try
        {
            // The multiplexer re-subscribes by itself after a reconnect.
            await redis.GetSubscriber().SubscribeAsync(_link.Channel("events"), (_, value) => Deliver(value)).ConfigureAwait(false);
        }
        catch (RedisException e)
        {
            // Not connected at start: subscriptions made while disconnected are restored on connect, but a failed
            // SUBSCRIBE call is not — try again when Redis comes back.
            _link.Failed("subscribe", e);
            _link.Restored += RetrySubscribe;
        }
    }

    private void RetrySubscribe()
    {
        _link.Restored -= RetrySubscribe;
        _ = SubscribeAsync();
    }

    private void Deliver(RedisValue value)
    {
        ClusterEvent? message;
        try
        {
            message = JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)value).Span, ClusterJsonContext.Default.ClusterEvent);
        }
        catch (JsonException e)
        {
            _link.Failed("message", e);
            return;
        }

        if (message is null || message.Origin == _link.InstanceId || !_handlers.TryGetValue(message.Kind, out var handler))
        {
            return;
        }

        try
        {
            handler(message);
        }
        catch (Exception e)
        {
            _link.Failed("handler " + message.Kind, e);
        }
    }
}
