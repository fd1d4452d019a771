using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LlmMux.Tests;

/// <summary>
/// The exit code of the real <c>llm-mux serve</c> process, which supervisors (<c>Restart=on-failure</c>) act on:
/// 0 only after a shutdown signal, 1 when start-up fails.
/// </summary>
public sealed class ServeExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llm-mux-exit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_port_in_use_prints_one_line_and_exits_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var process = Start("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single((await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("llm-mux: could not start:", line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", await output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_drains_and_exits_0()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var process = Start("--port", "0");
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(ready.Token) is { } line && !line.Contains("listening on", StringComparison.Ordinal))
        {
        }

        var rest = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await rest;
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", (await error).Trim());
    }

    private Process Start(params string[] args)
    {
        var config = Path.Combine(_dir, "llm-mux.yaml");
        File.WriteAllText(config, "providers: []\n");
        var binary = Environment.GetEnvironmentVariable("LLM_MUX_TEST_BINARY");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(binary) ? "dotnet" : binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LLM_MUX_AUTH_DIR"] = Path.Combine(_dir, "auth");
        if (string.IsNullOrEmpty(binary))
        {
            start.ArgumentList.Add(GatewayProcess.ExecutablePath());
        }

        foreach (var arg in new[] { "serve", "--config", config, "--host", "127.0.0.1" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start llm-mux");
    }
}
