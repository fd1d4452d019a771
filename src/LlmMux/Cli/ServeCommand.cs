using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux serve</c>: runs until Ctrl-C, SIGINT, SIGTERM or SIGQUIT, which drain in-flight requests before exiting
/// with 0. A start-up failure (the port is taken, …) prints one line and exits with 1; so does any stop that no signal
/// asked for, so that a supervisor (<c>Restart=on-failure</c>) restarts the gateway.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ServeFlags flags, Func<string, string?> getVariable, TextWriter output)
    {
        var source = ConfigLocator.Locate(flags.Config, getVariable);
        var overrides = ConfigOverrides.FromEnvironment(getVariable).Then(FlagOverrides(flags));
        var starting = new StrongBox<bool>(true);
        await using var app = GatewayHost.Build(new GatewayHostOptions(source, overrides), builder => QuietStartFailure(builder, starting));

        using var signals = new ShutdownSignals();
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signals.Received)
        {
            return 0;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"llm-mux: could not start: {OneLine(e)}").ConfigureAwait(false);
            return 1;
        }

        starting.Value = false;
        var snapshot = app.Services.GetRequiredService<GatewayConfigStore>().Current;
        var store = app.Services.GetRequiredService<LlmMux.Accounts.Store.AccountStore>();
        foreach (var line in StartSummary.Lines(GatewayHost.BoundAddresses(app).ToList(), source, snapshot, store.Directory, store.Accounts.Count))
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        await output.FlushAsync().ConfigureAwait(false);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        if (signals.Received)
        {
            return 0;
        }

        await Console.Error.WriteLineAsync("llm-mux: the gateway stopped without a shutdown signal; see the log above.").ConfigureAwait(false);
        return 1;
    }

    /// <summary>
    /// The host logs a failed start with its stack trace; the one line printed by <see cref="RunAsync"/> says it
    /// better. Once started, the host's errors (a faulted background service) are logged as usual.
    /// </summary>
    private static void QuietStartFailure(WebApplicationBuilder builder, StrongBox<bool> starting) =>
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (!starting.Value || level < LogLevel.Error));

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ").Trim();

    private static ConfigOverrides FlagOverrides(ServeFlags flags) => new()
    {
        Host = flags.Host,
        Port = flags.Port,
        Debug = flags.Debug ? true : null, // without --debug the file and LLM_MUX_DEBUG decide
    };

    /// <summary>
    /// Records whether SIGINT, SIGTERM or SIGQUIT (Ctrl-C, Ctrl-Break, close on Windows) arrived, so that a requested
    /// shutdown can be told from the host stopping by itself. It only records: the host's console lifetime still
    /// handles the signal and drains.
    /// </summary>
    private sealed class ShutdownSignals : IDisposable
    {
        private readonly List<PosixSignalRegistration> _registrations = [];
        private int _received;

        public ShutdownSignals()
        {
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
            {
                try
                {
                    _registrations.Add(PosixSignalRegistration.Create(signal, _ => Volatile.Write(ref _received, 1)));
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException)
                {
                    // Not available on this platform: that signal cannot be told apart, the others still can.
                }
            }
        }

        public bool Received => Volatile.Read(ref _received) == 1;

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }
        }
    }
}
