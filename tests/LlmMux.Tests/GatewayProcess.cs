using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LlmMux.Tests;

/// <summary>The real <c>llm-mux serve</c> as a child process on 127.0.0.1 and a port the OS picks.</summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private GatewayProcess(Process process, string baseUrl, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        BaseUrl = baseUrl;
        _output = output;
    }

    public string BaseUrl { get; }

    /// <summary>What the process wrote to stdout and stderr so far (its log), for tests that check what it never logs.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="authDir">The auth dir (default <c>auth</c> beside the config); replicas of a fleet each get their own.</param>
    /// <param name="environment">More variables for the child (<c>LLM_MUX_REDIS</c>, …).</param>
    public static async Task<GatewayProcess> StartAsync(string configPath, string? authDir = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // LLM_MUX_TEST_BINARY runs these tests against a published binary (the Native AOT build) instead of the JIT build.
        var binary = Environment.GetEnvironmentVariable("LLM_MUX_TEST_BINARY");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(binary) ? "dotnet" : binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Accounts and usage go next to the test's config, never into the user's home.
        start.Environment["LLM_MUX_AUTH_DIR"] = authDir ?? Path.Combine(Path.GetDirectoryName(configPath)!, "auth");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        if (string.IsNullOrEmpty(binary))
        {
            start.ArgumentList.Add(ExecutablePath());
        }

        foreach (var arg in new[] { "serve", "--config", configPath, "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start llm-mux");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } data)
            {
                output.Enqueue(data);
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.Enqueue(line);
            if (Listening().Match(line) is { Success: true } match)
            {
                _ = DrainAsync(process.StandardOutput, output); // keep draining so the child never blocks
                return new GatewayProcess(process, match.Groups[1].Value, output);
            }
        }

        throw new InvalidOperationException($"llm-mux exited before listening (exit code {(process.HasExited ? process.ExitCode : -1)})");
    }

    private static async Task DrainAsync(StreamReader reader, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            output.Enqueue(line);
        }
    }

    /// <summary>The llm-mux build of this configuration, next to the test's own output.</summary>
    public static string ExecutablePath() => Path.Combine(AppContext.BaseDirectory, "llm-mux.dll");

    /// <summary>Stops it as a supervisor would (SIGTERM), and waits: the host's shutdown runs, unlike <see cref="DisposeAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_disposed || _process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}
