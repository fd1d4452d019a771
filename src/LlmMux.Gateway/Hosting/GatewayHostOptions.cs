using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Hosting;

/// <summary>What the executable (or a test) hands the gateway host.</summary>
public sealed record GatewayHostOptions(ConfigSource Config, ConfigOverrides Overrides)
{
    /// <summary>Watch the config file and apply changes while running.</summary>
    public bool WatchConfig { get; init; } = true;
}
