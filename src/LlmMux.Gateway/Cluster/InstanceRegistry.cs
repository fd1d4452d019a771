using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmMux.Gateway.Configuration;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// The fleet's members: each replica writes itself (version, config hash, heartbeat) into <c>{ns}:instances</c>
/// every <see cref="HeartbeatEvery"/> and removes itself when it stops. A member silent for
/// <see cref="StaleAfter"/> is shown as stale (crashed, or cut off from Redis); after <see cref="ForgetAfter"/> it is dropped.
/// </summary>
internal sealed class InstanceRegistry : BackgroundService
{
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    private readonly RedisLink _link;
    private readonly GatewayConfigStore _config;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private string _configHash;

    public InstanceRegistry(RedisLink link, GatewayConfigStore config, TimeProvider time)
    {
        _link = link;
        _config = config;
        _time = time;
        _started = time.GetUtcNow();
        // Hashed when a config comes into effect, not on every heartbeat: it describes the config this replica runs.
        _configHash = ConfigHash();
        config.Reloaded += _ => _configHash = ConfigHash();
        link.Restored += () => _ = BeatAsync();
    }

    public static string Version { get; } =
        typeof(InstanceRegistry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>This replica as the registry shows it.</summary>
    public ClusterInstance Self => new(_link.InstanceId, ClusterInstance.NameOf(_link.Options), Version, _configHash, _started, _time.GetUtcNow());

    /// <summary>Every member Redis knows, newest heartbeat first; null when Redis cannot be read.</summary>
    public async Task<IReadOnlyList<ClusterInstance>?> MembersAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return null;
        }

        try
        {
            var members = new List<ClusterInstance>();
            foreach (var entry in await db.HashGetAllAsync(_link.Key("instances")).ConfigureAwait(false))
            {
                if (JsonSerializer.Deserialize((string?)entry.Value ?? "null", ClusterJsonContext.Default.ClusterInstance) is { } member)
                {
                    members.Add(member);
                }
            }

            return members.OrderByDescending(m => m.LastHeartbeat).ToList();
        }
        catch (Exception e) when (e is RedisException or JsonException)
        {
            _link.Failed("instances read", e);
            return null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_link.Enabled)
        {
            return;
        }

        await _link.ConnectionAsync.ConfigureAwait(false);
        using var timer = new PeriodicTimer(HeartbeatEvery, _time);
        do
        {
            await BeatAsync().ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_link.TryGetDatabase(out var db))
        {
            try
            {
                await db.HashDeleteAsync(_link.Key("instances"), _link.InstanceId).ConfigureAwait(false);
            }
            catch (RedisException e)
            {
                _link.Failed("instance remove", e);
            }
        }
    }

    private async Task BeatAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return;
        }

        try
        {
            var key = _link.Key("instances");
            await db.HashSetAsync(key, _link.InstanceId, JsonSerializer.Serialize(Self, ClusterJsonContext.Default.ClusterInstance)).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            foreach (var member in await MembersAsync().ConfigureAwait(false) ?? [])
            {
                if (now - member.LastHeartbeat > ForgetAfter)
                {
                    await db.HashDeleteAsync(key, member.Id).ConfigureAwait(false);
                }
            }
        }
        catch (RedisException e)
        {
            _link.Failed("heartbeat", e);
        }
    }

    /// <summary>First 12 hex digits of the SHA-256 of the config text: replicas that differ show it (never the text).</summary>
    private string ConfigHash()
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_config.Source.ReadText())))[..12];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }
}
