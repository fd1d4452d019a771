using System.Diagnostics;

namespace LlmMux.Tests.Dashboard;

/// <summary>
/// Debian's Chromium, node and tests/browser's playwright-core, made ready once per run by tests/scripts/ensure-chromium
/// (which .ci/run also runs first). The tests skip, with the script's reason, only when Chromium or node cannot be had.
/// </summary>
internal static class BrowserInstallation
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly Lazy<(string? Unavailable, string? Failure)> Outcome = new(Ensure);

    /// <summary>Why the browser tests cannot run here (no Chromium or node); null when they can.</summary>
    public static string? UnavailableReason => Outcome.Value.Unavailable;

    /// <summary>Fails the test when the script failed for another reason (npm ci refused, …): that is a failure, not a skip.</summary>
    public static void AssertReady() => Assert.True(Outcome.Value.Failure is null, $"tests/scripts/ensure-chromium failed: {Outcome.Value.Failure}");

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Where the scenarios put their screenshots (CI keeps them as artefacts): <c>$SCREENSHOT_DIR</c> or artifacts/screenshots, created.</summary>
    public static string ScreenshotDirectory()
    {
        var screenshots = Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        return screenshots;
    }

    private static string BrowserDirectory => Path.Combine(RepositoryRoot, "tests", "browser");

    /// <summary>Runs <c>node tests/browser/&lt;script&gt;</c> with the environment given; its exit code and everything it printed.</summary>
    public static async Task<(int Code, string Output)> RunScenarioAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BrowserDirectory,
        };
        start.ArgumentList.Add(script);
        start.Environment["CHROMIUM"] = Chromium;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static (string? Unavailable, string? Failure) Ensure()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "tests", "scripts", "ensure-chromium"));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var output = $"{stdout.GetAwaiter().GetResult()}{stderr.GetAwaiter().GetResult()}".Trim();
        if (process.ExitCode == 0)
        {
            return (null, null);
        }

        // Only a machine without Chromium or node skips; anything else (npm ci failing) is a failure to see.
        return !File.Exists(Chromium) || !OnPath("node")
            ? ($"no Chromium or node for the dashboard's browser tests: {output}", null)
            : (null, output);
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));

    private static string FindRoot()
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
}

/// <summary>A browser test: skipped, with the reason, only when Chromium or node cannot be had on this machine.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserInstallation.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
