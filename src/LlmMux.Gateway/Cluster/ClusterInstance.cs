using System.Security.Cryptography;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Cluster;

/// <summary>A replica as the instance registry shows it (<c>GET /v0/management/cluster</c>).</summary>
internal sealed record ClusterInstance(
    string Id,
    string Name,
    string Version,
    string ConfigHash,
    DateTimeOffset Started,
    DateTimeOffset LastHeartbeat)
{
    /// <summary><c>{name}-{8 hex}</c>: the configured or host name, and a random part so a restart is a new instance.</summary>
    public static string NewId(ClusterOptions options)
        => $"{NameOf(options)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public static string NameOf(ClusterOptions options)
        => options.InstanceName.Length > 0 ? options.InstanceName : Environment.MachineName.ToLowerInvariant();
}
