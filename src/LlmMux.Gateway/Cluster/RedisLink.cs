using System.Diagnostics.CodeAnalysis;
using LlmMux.Gateway.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// This replica's one connection to the fleet's Redis (<c>cluster.redis</c>), or nothing when the cluster is off.
/// Connecting never blocks start-up and never fails it: the multiplexer keeps retrying in the background, and while
/// Redis is away every command fails fast (no backlog), so a caller falls back to local state instead of waiting.
/// </summary>
internal sealed partial class RedisLink : IAsyncDisposable
{
    private readonly ILogger<RedisLink> _logger;
    private readonly Task<ConnectionMultiplexer?> _connecting;
    private ConnectionMultiplexer? _redis;
    private long _failures;

    public RedisLink(ClusterOptions options, ILogger<RedisLink> logger)
    {
        _logger = logger;
        Options = options;
        Namespace = options.Namespace;
        Endpoint = RedisUrl.Display(options.Redis);
        InstanceId = ClusterInstance.NewId(options);
        _connecting = options.Enabled ? ConnectAsync(options) : Task.FromResult<ConnectionMultiplexer?>(null);
    }

    public ClusterOptions Options { get; }

    public bool Enabled => Options.Enabled;

    public string Namespace { get; }

    /// <summary>Where Redis is, without credentials.</summary>
    public string Endpoint { get; }

    /// <summary>Unique per process start: a restarted replica is a new instance (its old leases expire on their own).</summary>
    public string InstanceId { get; }

    /// <summary>True while commands can reach Redis.</summary>
    public bool Connected => _redis?.IsConnected == true;

    /// <summary>Redis commands that failed (timeouts, connection loss), for the metric and <c>/readyz</c>.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Raised after Redis comes back (and after the first connect): owners of shared state push and re-read theirs.</summary>
    public event Action? Restored;

    /// <summary>Waits for the first connection attempt; null when the cluster is off.</summary>
    public Task<ConnectionMultiplexer?> ConnectionAsync => _connecting;

    /// <summary>The database, when connected; else false and the caller uses local state.</summary>
    public bool TryGetDatabase([NotNullWhen(true)] out IDatabase? database)
    {
        database = _redis is { IsConnected: true } redis ? redis.GetDatabase() : null;
        return database is not null;
    }

    /// <summary><c>{namespace}:{name}</c>.</summary>
    public RedisKey Key(string name) => new(Namespace + ":" + name);

    public RedisChannel Channel(string name) => RedisChannel.Literal(Namespace + ":" + name);

    /// <summary>Counts and logs a failed command; the caller goes on with local state.</summary>
    public void Failed(string operation, Exception e)
    {
        Interlocked.Increment(ref _failures);
        Log.CommandFailed(_logger, operation, e);
    }

    private async Task<ConnectionMultiplexer?> ConnectAsync(ClusterOptions options)
    {
        var config = RedisUrl.ToConfiguration(options);
        config.ClientName = "llm-mux:" + InstanceId;
        try
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
            redis.ConnectionFailed += (_, e) =>
            {
                Interlocked.Increment(ref _failures);
                Log.ConnectionFailed(_logger, e.FailureType);
            };
            redis.ConnectionRestored += (_, e) =>
            {
                // Interactive only: the subscription connection has its own restore, and one notice per outage is enough.
                if (e.ConnectionType == ConnectionType.Interactive)
                {
                    Log.ConnectionRestored(_logger);
                    RaiseRestored();
                }
            };
            _redis = redis;
            if (redis.IsConnected)
            {
                Log.Connected(_logger, Endpoint);
                RaiseRestored();
            }
            else
            {
                Log.ConnectionLost(_logger, "not reachable at start; retrying in the background");
            }

            return redis;
        }
        catch (Exception e) when (e is RedisException or ArgumentException or System.Net.Sockets.SocketException)
        {
            // Only a malformed configuration ends up here (AbortOnConnectFail is off); the validator catches most.
            Failed("connect", e);
            return null;
        }
    }

    private void RaiseRestored()
    {
        foreach (var handler in Restored?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action)handler)();
            }
            catch (Exception e)
            {
                Failed("restore", e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (await _connecting.ConfigureAwait(false) is { } redis)
        {
            await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "cluster: connected to Redis at {Endpoint}")]
        public static partial void Connected(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "cluster: Redis connection lost ({Reason}); serving with local state until it returns")]
        public static partial void ConnectionLost(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "cluster: Redis connection restored; re-syncing shared state")]
        public static partial void ConnectionRestored(ILogger logger);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "cluster: Redis {Operation} failed; using local state")]
        public static partial void CommandFailed(ILogger logger, string operation, Exception exception);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "cluster: Redis connection lost ({Failure}); serving with local state until it returns")]
        public static partial void ConnectionFailed(ILogger logger, ConnectionFailureType failure);
    }
}
