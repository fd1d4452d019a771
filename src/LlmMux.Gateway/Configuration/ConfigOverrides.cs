using System.Globalization;

namespace LlmMux.Gateway.Configuration;

/// <summary>
/// Values that beat the file: command-line flags first, then <c>LLM_MUX_*</c> environment variables (spec §1).
/// Applied again on every reload so an edited file never silently undoes a flag.
/// </summary>
public sealed record ConfigOverrides
{
    public string? Host { get; init; }
    public int? Port { get; init; }
    public bool? Debug { get; init; }
    public string? AuthDir { get; init; }
    public IReadOnlyList<string>? ApiKeys { get; init; }
    public string? ManagementKey { get; init; }

    /// <summary><c>LLM_MUX_REDIS</c>, <c>LLM_MUX_REDIS_PASSWORD</c>, <c>LLM_MUX_CLUSTER_KEY</c>: the <c>cluster:</c> secrets kept out of the file.</summary>
    public string? Redis { get; init; }
    public string? RedisPassword { get; init; }
    public string? ClusterKey { get; init; }

    /// <summary>Reads the environment variables the spec names; flags given later win over these.</summary>
    public static ConfigOverrides FromEnvironment(Func<string, string?> getVariable)
    {
        var port = getVariable("LLM_MUX_PORT");
        var debug = getVariable("LLM_MUX_DEBUG");
        var keys = getVariable("LLM_MUX_API_KEYS");
        return new ConfigOverrides
        {
            Host = NullIfEmpty(getVariable("LLM_MUX_HOST")),
            Port = int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null,
            Debug = debug is null ? null : debug is "1" || debug.Equals("true", StringComparison.OrdinalIgnoreCase),
            AuthDir = NullIfEmpty(getVariable("LLM_MUX_AUTH_DIR")),
            ApiKeys = string.IsNullOrWhiteSpace(keys) ? null : keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ManagementKey = NullIfEmpty(getVariable("LLM_MUX_MANAGEMENT_KEY")),
            Redis = NullIfEmpty(getVariable("LLM_MUX_REDIS")),
            RedisPassword = NullIfEmpty(getVariable("LLM_MUX_REDIS_PASSWORD")),
            ClusterKey = NullIfEmpty(getVariable("LLM_MUX_CLUSTER_KEY")),
        };
    }

    /// <summary>This set, with <paramref name="over"/>'s values taking precedence.</summary>
    public ConfigOverrides Then(ConfigOverrides over) => new()
    {
        Host = over.Host ?? Host,
        Port = over.Port ?? Port,
        Debug = over.Debug ?? Debug,
        AuthDir = over.AuthDir ?? AuthDir,
        ApiKeys = over.ApiKeys ?? ApiKeys,
        ManagementKey = over.ManagementKey ?? ManagementKey,
        Redis = over.Redis ?? Redis,
        RedisPassword = over.RedisPassword ?? RedisPassword,
        ClusterKey = over.ClusterKey ?? ClusterKey,
    };

    public LlmMuxOptions ApplyTo(LlmMuxOptions options) => options with
    {
        Host = Host ?? options.Host,
        Port = Port ?? options.Port,
        Debug = Debug ?? options.Debug,
        AuthDir = AuthDir ?? options.AuthDir,
        ApiKeys = ApiKeys?.ToList() ?? options.ApiKeys,
        Management = ManagementKey is null ? options.Management : options.Management with { SecretKey = ManagementKey },
        Cluster = Redis is null && RedisPassword is null && ClusterKey is null ? options.Cluster : options.Cluster with
        {
            Redis = Redis ?? options.Cluster.Redis,
            Password = RedisPassword ?? options.Cluster.Password,
            EncryptionKey = ClusterKey ?? options.Cluster.EncryptionKey,
        },
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
