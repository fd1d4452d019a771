using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Gateway.Tests.Hosting;

public sealed class StartupChecksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llm-mux-startup-").FullName;

    [Fact]
    public void A_config_with_keys_that_others_can_read_is_warned_about()
    {
        var lines = WarningsFor("api-keys: [sk-client-1]\n");

        var line = Assert.Single(lines);
        Assert.Contains("can be read by other users of this machine (0644)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-client-1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_without_a_secret_in_it_is_not_said_to_hold_one()
    {
        Assert.Empty(WarningsFor("api-keys: []\nproviders: []\n"));
    }

    private List<string> WarningsFor(string yaml)
    {
        if (OperatingSystem.IsWindows())
        {
            return [];
        }

        var path = Path.Combine(_dir, "llm-mux.yaml");
        File.WriteAllText(path, yaml + $"auth-dir: {Path.Combine(_dir, "auth")}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var store = new GatewayConfigStore(ConfigSource.File(path), ConfigOverrides.FromEnvironment(_ => null), NullLogger<GatewayConfigStore>.Instance);
        var logger = new WarningLogger();
        StartupChecks.Warn(logger, store);
        return logger.Lines;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class WarningLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
