using System.Net;

namespace LlmMux.Tests.Connect;

/// <summary>
/// Issue 18, "commands act where the user stands": <c>dotnet run --project src/LlmMux -- init</c> writes into the
/// directory it was run from, every "wrote"/"listening" line names absolute paths, the config is 0600, and a start
/// logs what a user can act on and no framework noise.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WhereTheUserStandsTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmMux.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("not inside the repository");
    }

    private static Dictionary<string, string> DotnetRunEnvironment(string temp) => new()
    {
        ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? temp, // dotnet's own state; llm-mux's goes below
        ["LLM_MUX_AUTH_DIR"] = Path.Combine(temp, "auth"),
        ["XDG_CONFIG_HOME"] = Path.Combine(temp, "xdg"),
    };

    [Fact]
    public async Task Dotnet_run_init_writes_the_config_where_it_was_run_from_owner_only_and_says_where()
    {
        var root = RepositoryRoot();
        var temp = Directory.CreateTempSubdirectory("llm-mux-where-").FullName;
        try
        {
            var run = await CliProcess.RunRawAsync(
                "dotnet", ["run", "--no-build", "--project", Path.Combine(root, "src", "LlmMux"), "--", "init"], temp, DotnetRunEnvironment(temp));

            Assert.True(run.Code == 0, run.ToString());
            var config = Path.Combine(temp, "llm-mux.yaml");
            Assert.True(File.Exists(config), run.ToString());
            Assert.False(File.Exists(Path.Combine(root, "src", "LlmMux", "llm-mux.yaml")), "init wrote next to the source");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            Assert.Contains($"Wrote {config} (mode 0600) and the auth dir {Path.Combine(temp, "auth")} (mode 0700).", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task Dotnet_run_from_the_repository_root_finds_the_repositorys_own_config()
    {
        var root = RepositoryRoot();
        var temp = Directory.CreateTempSubdirectory("llm-mux-where-").FullName;
        try
        {
            // The README's form exactly: relative project path, run from the root. The example config there is kept.
            var run = await CliProcess.RunRawAsync("dotnet", ["run", "--no-build", "--project", "src/LlmMux", "--", "init"], root, DotnetRunEnvironment(temp));

            Assert.Equal(1, run.Code);
            Assert.Contains($"{Path.Combine(root, "llm-mux.yaml")} already exists; use --force to overwrite it.", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task Init_force_replaces_a_world_readable_config_with_an_owner_only_one()
    {
        var temp = Directory.CreateTempSubdirectory("llm-mux-where-").FullName;
        try
        {
            var config = Path.Combine(temp, "llm-mux.yaml");
            await File.WriteAllTextAsync(config, "port: 8317\n");
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var run = await CliProcess.RunAsync(temp, new Dictionary<string, string> { ["HOME"] = temp }, "init", "--force");

            Assert.True(run.Code == 0, run.ToString());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            Assert.Contains($"Wrote {config} (mode 0600)", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_starts_quietly_and_says_where_it_listens_what_it_uses_and_what_to_do_next()
    {
        var temp = Directory.CreateTempSubdirectory("llm-mux-where-").FullName;
        try
        {
            var config = Path.Combine(temp, "llm-mux.yaml");
            await File.WriteAllTextAsync(config, """
                api-keys: [k1]
                providers:
                  - { name: openai, type: openai, base-url: "http://127.0.0.1:9/v1", api-keys: [sk-a, sk-b] }
                """);
            await using var gateway = await GatewayProcess.StartAsync(config, environment: new Dictionary<string, string> { ["HOME"] = temp });
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{gateway.BaseUrl}/healthz")).StatusCode);
            await gateway.StopAsync();

            var log = gateway.Output;
            Assert.Contains($"llm-mux listening on {gateway.BaseUrl} (config: {config})", log, StringComparison.Ordinal);
            Assert.Contains($"auth dir:   {Path.Combine(temp, "auth")} (0 subscription accounts)", log, StringComparison.Ordinal);
            Assert.Contains("providers:  openai (2 accounts)", log, StringComparison.Ordinal);
            Assert.Contains("Next: point a client here, e.g. `llm-mux connect claude-code --write`", log, StringComparison.Ordinal);
            Assert.DoesNotContain("warn: Microsoft", log, StringComparison.Ordinal); // no framework noise (llm-mux's own warnings may appear)
            Assert.DoesNotContain("DataProtection", log, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-a", log, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(temp, ".aspnet")), "DataProtection wrote keys into HOME");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
