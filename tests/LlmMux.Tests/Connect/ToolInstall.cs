namespace LlmMux.Tests.Connect;

/// <summary>
/// The dotnet tool of the build under test: packed once per test run (<c>dotnet pack --no-build</c> only wraps the build)
/// into a folder that serves as the only package source, then installed into a tool path as a user would.
/// </summary>
internal static class ToolInstall
{
    private static readonly Lazy<Task<string>> Packages = new(PackAsync);

    /// <summary>Installs the <c>llm-mux</c> tool into <paramref name="toolPath"/> from the local package alone; returns the command's path.</summary>
    public static async Task<string> InstallAsync(string toolPath, string scratch, IReadOnlyDictionary<string, string> environment)
    {
        var packages = await Packages.Value;
        var nugetConfig = Path.Combine(scratch, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var install = await CliProcess.RunRawAsync("dotnet", ["tool", "install", "llm-mux", "--tool-path", toolPath, "--configfile", nugetConfig], scratch, environment);
        Assert.True(install.Code == 0, install.ToString());
        return Path.Combine(toolPath, "llm-mux");
    }

    private static async Task<string> PackAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "LlmMux.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("not inside the repository");
        }

        var packages = Directory.CreateTempSubdirectory("llm-mux-tool-packages-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(packages, recursive: true);
        var env = new Dictionary<string, string> { ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? packages, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        // The build the tests run on (Debug unless told otherwise).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var pack = await CliProcess.RunRawAsync("dotnet", ["pack", Path.Combine(root.FullName, "src", "LlmMux"), "--no-build", "-c", configuration, "-o", packages], packages, env);
        Assert.True(pack.Code == 0, pack.ToString());
        return packages;
    }
}
