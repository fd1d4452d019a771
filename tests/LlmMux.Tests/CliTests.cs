using LlmMux.Cli;

namespace LlmMux.Tests;

public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LlmMuxCli.RunAsync(args, env.GetValueOrDefault, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
        => RunAsync(new Dictionary<string, string?>(), args);

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (code, output, _) = await RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^llm-mux \d+\.\d+\.\d+", output);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("llm-mux serve", output, StringComparison.Ordinal);
        Assert.Contains("llm-mux models", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_prints_help_and_exits_2()
    {
        var (code, _, error) = await RunAsync("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_command_prints_help_and_exits_2()
    {
        var (code, _, error) = await RunAsync();
        Assert.Equal(2, code);
        Assert.StartsWith("llm-mux: no command given.", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llm-mux: Unrecognized command or argument '--prot'.", "serve", "--prot", "9000")]
    [InlineData("llm-mux: --port must be a number, got 'abc'", "serve", "--port", "abc")]
    [InlineData("llm-mux: Required argument missing for option: '--port'.", "serve", "--port")]
    [InlineData("llm-mux: Unrecognized command or argument '--force'.", "models", "--force")]
    [InlineData("llm-mux: accounts remove needs an account id (see `llm-mux accounts`)", "accounts", "remove")]
    [InlineData("llm-mux: Unrecognized command or argument 'frob'.", "accounts", "frob")]
    public async Task A_usage_error_names_the_option_prints_help_and_exits_2(string message, params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var lines = error.Split('\n');
        Assert.Equal(message, lines[0].TrimEnd('\r')); // one line, then the usage
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port=9000")]
    [InlineData("--port", "9000")]
    public async Task Serve_accepts_the_port_either_way(params string[] port)
    {
        // A broken config fails after parsing (exit 1), so the port was accepted without starting a gateway.
        var dir = Directory.CreateTempSubdirectory("llm-mux-cli-").FullName;
        try
        {
            var config = Path.Combine(dir, "c.yaml");
            await File.WriteAllTextAsync(config, "providrs: []\n");
            var (code, _, error) = await RunAsync(["serve", "--config", config, .. port]);
            Assert.Equal(1, code);
            Assert.Contains("llm-mux: invalid configuration:", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Models_shows_each_model_with_its_provider_chain()
    {
        var dir = Directory.CreateTempSubdirectory("llm-mux-cli-").FullName;
        try
        {
            var config = Path.Combine(dir, "c.yaml");
            await File.WriteAllTextAsync(config, """
                providers:
                  - { name: a, type: openai, models: [m1, { name: m2-upstream, alias: m2 }] }
                  - { name: b, type: openai, models: [m1] }
                """);
            var (code, output, _) = await RunAsync("models", "--config", config);
            Assert.Equal(0, code);
            Assert.Contains("m1  a(m1) -> b(m1)", output, StringComparison.Ordinal);
            Assert.Contains("m2  a(m2-upstream)", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_broken_config_is_reported_with_its_line_and_exit_code_1()
    {
        var dir = Directory.CreateTempSubdirectory("llm-mux-cli-").FullName;
        try
        {
            var config = Path.Combine(dir, "c.yaml");
            await File.WriteAllTextAsync(config, "port: 1\nprovidrs: []\n");
            var (code, _, error) = await RunAsync("serve", "--config", config);
            Assert.Equal(1, code);
            Assert.Contains("line 2, column 1: unknown key 'providrs'", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Init_writes_a_valid_config_and_prints_the_management_secret_once()
    {
        var dir = Directory.CreateTempSubdirectory("llm-mux-cli-").FullName;
        try
        {
            var config = Path.Combine(dir, "llm-mux.yaml");
            var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = Path.Combine(dir, "auth") };
            var (code, output, _) = await RunAsync(env, "init", "--config", config);
            Assert.Equal(0, code);
            var secret = output.Split("stored only as a hash): ")[1].Split('\n')[0].Trim();
            var text = await File.ReadAllTextAsync(config);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.Contains("secret-key: \"pbkdf2$", text, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(dir, "auth")));
            Assert.Equal(1, (await RunAsync(env, "init", "--config", config)).Code); // refuses to overwrite without --force
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Config_lookup_falls_back_to_the_embedded_default()
    {
        var env = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = "/nonexistent-dir" };
        var cwd = Environment.CurrentDirectory;
        var dir = Directory.CreateTempSubdirectory("llm-mux-cli-").FullName;
        try
        {
            Environment.CurrentDirectory = dir;
            var source = ConfigLocator.Locate(null, env.GetValueOrDefault);
            Assert.Null(source.FilePath);
            Assert.Contains("providers: []", source.ReadText(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
            Directory.Delete(dir, recursive: true);
        }
    }
}
