using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary>
/// The spec's config lookup, the same for every command: <c>--config</c>, <c>$LLM_MUX_CONFIG</c>,
/// <c>./llm-mux.yaml</c>, <c>$XDG_CONFIG_HOME/llm-mux/config.yaml</c> (default <c>~/.config</c>), then the embedded default.
/// </summary>
internal static class ConfigLocator
{
    public static ConfigSource Locate(string? flag, Func<string, string?> getVariable)
    {
        if (!string.IsNullOrEmpty(flag))
        {
            return File.Exists(flag) ? ConfigSource.File(flag) : throw new ConfigException($"config file not found: {flag}");
        }

        if (getVariable("LLM_MUX_CONFIG") is { Length: > 0 } fromEnv)
        {
            return File.Exists(fromEnv) ? ConfigSource.File(fromEnv) : throw new ConfigException($"config file not found: {fromEnv} (from LLM_MUX_CONFIG)");
        }

        if (File.Exists("llm-mux.yaml"))
        {
            return ConfigSource.File("llm-mux.yaml");
        }

        var user = UserConfigPath(getVariable);
        return File.Exists(user) ? ConfigSource.File(user) : ConfigSource.Inline(EmbeddedDefault(), "embedded default config");
    }

    /// <summary>The options a command acts on: the located config with the environment's overrides, as <c>serve</c> reads it.</summary>
    public static LlmMuxOptions Load(ConfigSource source, Func<string, string?> getVariable)
        => ConfigOverrides.FromEnvironment(getVariable).ApplyTo(ConfigLoader.Parse(source.ReadText(), source.FilePath ?? source.DisplayName));

    public static string UserConfigPath(Func<string, string?> getVariable)
    {
        var configHome = getVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "llm-mux", "config.yaml");
    }

    public static string EmbeddedDefault()
    {
        using var stream = typeof(ConfigLocator).Assembly.GetManifestResourceStream("LlmMux.default-config.yaml")
            ?? throw new InvalidOperationException("embedded default config is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
