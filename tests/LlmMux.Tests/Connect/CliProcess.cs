using System.Diagnostics;

namespace LlmMux.Tests.Connect;

/// <summary>
/// Runs a command of the built CLI (or <c>$LLM_MUX_TEST_BINARY</c>) as its own process, in a given directory, with an
/// environment of PATH plus what the test names, so that the user's HOME, config and keys never take part.
/// </summary>
internal static class CliProcess
{
    public static Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var binary = Environment.GetEnvironmentVariable("LLM_MUX_TEST_BINARY");
        return string.IsNullOrEmpty(binary)
            ? RunRawAsync("dotnet", [GatewayProcess.ExecutablePath(), .. args], workingDirectory, environment)
            : RunRawAsync(binary, args, workingDirectory, environment);
    }

    public static async Task<CliResult> RunRawAsync(string command, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var name in new[] { "DOTNET_ROOT", "DOTNET_CLI_HOME", "NUGET_PACKAGES", "DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_NOLOGO", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // a hang guard only
        await process.WaitForExitAsync(guard.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record CliResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit code {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}
