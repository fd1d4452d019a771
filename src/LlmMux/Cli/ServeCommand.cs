using System.Globalization;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Cli;

/// <summary><c>llm-mux serve</c>: runs until Ctrl-C, which drains in-flight requests before exiting.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CommandLine line, Func<string, string?> getVariable, TextWriter output)
    {
        var source = ConfigLocator.Locate(line.Value("config"), getVariable);
        var overrides = ConfigOverrides.FromEnvironment(getVariable).Then(FlagOverrides(line));
        await using var app = GatewayHost.Build(new GatewayHostOptions(source, overrides));

        await app.StartAsync().ConfigureAwait(false);
        var snapshot = app.Services.GetRequiredService<GatewayConfigStore>().Current;
        foreach (var address in GatewayHost.BoundAddresses(app))
        {
            await output.WriteLineAsync($"llm-mux listening on {address} (config: {source.DisplayName})").ConfigureAwait(false);
        }

        if (snapshot.Providers.Count == 0)
        {
            await output.WriteLineAsync(
                "No providers are configured yet, so no model can be routed. Next: run `llm-mux init` to write ./llm-mux.yaml, " +
                "add a provider (e.g. type: openai with api-keys), then start `llm-mux serve` again.").ConfigureAwait(false);
        }

        await output.FlushAsync().ConfigureAwait(false);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static ConfigOverrides FlagOverrides(CommandLine line) => new()
    {
        Host = line.Value("host"),
        Port = line.Value("port") is { } port
            ? int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : throw new UsageException($"--port must be a number, got '{port}'")
            : null,
        Debug = line.Has("debug") ? true : null,
    };
}
