namespace LlmMux.Tests.Connect;

/// <summary>The dotnet tool package: packed from this build, installed from a local folder only (no feed on the
/// internet), it runs as <c>llm-mux</c>.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_tool_package_installs_from_a_local_folder_and_runs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "LlmMux.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("not inside the repository");
        }

        var temp = Directory.CreateTempSubdirectory("llm-mux-tool-").FullName;
        try
        {
            var env = new Dictionary<string, string> { ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? temp, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
            var packages = Path.Combine(temp, "packages");
            // The build the tests run on (Debug unless told otherwise); pack only wraps it.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var pack = await CliProcess.RunRawAsync("dotnet", ["pack", Path.Combine(root.FullName, "src", "LlmMux"), "--no-build", "-c", configuration, "-o", packages], temp, env);
            Assert.True(pack.Code == 0, pack.ToString());
            var nugetConfig = Path.Combine(temp, "nuget.config");
            await File.WriteAllTextAsync(nugetConfig, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{packages}" />
                  </packageSources>
                </configuration>
                """);

            var tools = Path.Combine(temp, "tools");
            var install = await CliProcess.RunRawAsync("dotnet", ["tool", "install", "llm-mux", "--tool-path", tools, "--configfile", nugetConfig], temp, env);
            Assert.True(install.Code == 0, install.ToString());

            var version = await CliProcess.RunRawAsync(Path.Combine(tools, "llm-mux"), ["--version"], temp, env);
            Assert.True(version.Code == 0, version.ToString());
            Assert.Matches(@"^llm-mux \d+\.\d+\.\d+", version.Out);
            var connect = await CliProcess.RunRawAsync(Path.Combine(tools, "llm-mux"), ["connect", "cursor", "--url", "http://127.0.0.1:8317"], temp, env);
            Assert.Contains("OpenAI Base URL: http://127.0.0.1:8317/v1", connect.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
