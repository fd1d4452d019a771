using System.Diagnostics;

namespace LlmMux.Tests.Agents;

/// <summary>
/// The real agents pinned in tests/agents/package-lock.json, installed by tests/agents/install.sh the first time a
/// test of this process asks for them (a later run with the same lock file is a no-op), so a fresh clone needs no
/// manual step.
/// </summary>
internal static class AgentInstallation
{
    private static readonly Lazy<Outcome> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why the agents cannot run on this machine at all (npm has no such package or version, or none built
    /// for this platform), or null. Any other install failure is not a reason to skip: <see cref="Bin"/> throws it.</summary>
    public static string? UnavailableReason => Installed.Value.Unavailable;

    /// <summary>The agent's command (<c>claude</c>, <c>codex</c>, <c>gemini</c>) from the project's own install.</summary>
    public static string Bin(string name)
    {
        var outcome = Installed.Value;
        if (outcome.Unavailable is { } unavailable)
        {
            throw new InvalidOperationException(unavailable);
        }

        if (outcome.Failure is { } failure)
        {
            throw new InvalidOperationException($"tests/agents/install.sh failed:\n{failure}");
        }

        return Path.Combine(AgentsDirectory, "node_modules", ".bin", name);
    }

    private static string AgentsDirectory { get; } = Path.Combine(RepositoryRoot(), "tests", "agents");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmMux.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no LlmMux.sln above {AppContext.BaseDirectory}");
    }

    private static Outcome Install()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AgentsDirectory, "install.sh"));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var output = $"{stdout.GetAwaiter().GetResult()}{stderr.GetAwaiter().GetResult()}";
        if (process.ExitCode == 0)
        {
            return new Outcome(null, null);
        }

        // npm's own codes for "the registry has no such package or version" and "no build for this platform".
        return NotServed.Any(code => output.Contains(code, StringComparison.Ordinal))
            ? new Outcome($"the agents' npm packages cannot be installed on this machine: {output.Trim()}", null)
            : new Outcome(null, output);
    }

    private static readonly string[] NotServed = ["code E404", "code ETARGET", "code EBADPLATFORM", "code ENOVERSIONS"];

    private sealed record Outcome(string? Unavailable, string? Failure);
}

/// <summary>A test of a real agent: skipped, with npm's reason, only when the agent's package cannot be had here.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AgentFactAttribute : FactAttribute
{
    public AgentFactAttribute()
    {
        if (AgentInstallation.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
