namespace LlmMux.Tests.Connect;

/// <summary>The dotnet tool package: packed from this build, installed from a local folder only (no feed on the
/// internet), it runs as <c>llm-mux</c>.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_tool_package_installs_from_a_local_folder_and_runs()
    {
        var temp = Directory.CreateTempSubdirectory("llm-mux-tool-").FullName;
        try
        {
            var env = new Dictionary<string, string> { ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? temp, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
            var tool = await ToolInstall.InstallAsync(Path.Combine(temp, "tools"), temp, env);

            var version = await CliProcess.RunRawAsync(tool, ["--version"], temp, env);
            Assert.True(version.Code == 0, version.ToString());
            Assert.Matches(@"^llm-mux \d+\.\d+\.\d+", version.Out);
            var connect = await CliProcess.RunRawAsync(tool, ["connect", "cursor", "--url", "http://127.0.0.1:8317"], temp, env);
            Assert.Contains("OpenAI Base URL: http://127.0.0.1:8317/v1", connect.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
