using System.Diagnostics;

namespace LlmMux.Tests.Agents;

/// <summary>
/// One agent process in a throw-away home: HOME, the temp dir and the working directory all live under one temporary
/// folder, and the environment is built from nothing, so no user config, key or proxy of the machine leaks in and
/// nothing the agent writes leaks out.
/// </summary>
internal sealed class AgentSandbox : IDisposable
{
    // A hang guard only: a healthy run ends in seconds, and no assertion depends on how long it takes.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    public AgentSandbox(string name)
    {
        Root = Directory.CreateTempSubdirectory($"llm-mux-agent-{name}-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        Temp = Directory.CreateDirectory(Path.Combine(Root, "tmp")).FullName;
        Work = Directory.CreateDirectory(Path.Combine(Root, "work")).FullName;
    }

    public string Root { get; }

    public string Home { get; }

    public string Temp { get; }

    public string Work { get; }

    /// <summary>Runs <paramref name="command"/> in <see cref="Work"/> with stdin closed and waits for it to exit.</summary>
    public async Task<AgentResult> RunAsync(string command, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = Work,
            RedirectStandardInput = true,
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
        start.Environment["HOME"] = Home;
        start.Environment["TMPDIR"] = Temp;
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["TERM"] = "dumb";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["SHELL"] = "/bin/bash";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
            // A child the agent left behind may still hold the pipes open: the guard covers reading them too.
            return new AgentResult(process.ExitCode, await stdout.WaitAsync(guard.Token), await stderr.WaitAsync(guard.Token));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Path.GetFileName(command)} did not exit within {HangGuard}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file an agent still writes as it exits; the OS temp cleaner gets it.
        }
        catch (UnauthorizedAccessException)
        {
            // Codex may leave read-only files (its sandbox helpers); same.
        }
    }
}

/// <summary>What an agent run printed; its text is the whole transcript, for assertion messages.</summary>
internal sealed record AgentResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
