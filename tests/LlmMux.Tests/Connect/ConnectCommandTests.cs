using System.Text.Json;

namespace LlmMux.Tests.Connect;

/// <summary><c>llm-mux connect</c> through the built CLI, in a temporary HOME: what it prints, and what --write does to
/// files that already exist (merged, backed up, never clobbered).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConnectCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("llm-mux-connect-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Task<CliResult> ConnectAsync(params string[] args) =>
        CliProcess.RunAsync(_home, new Dictionary<string, string> { ["HOME"] = _home, ["XDG_CONFIG_HOME"] = Path.Combine(_home, ".config") }, ["connect", .. args]);

    private string HomeFile(string relative) => Path.Combine(_home, relative);

    private IEnumerable<string> Backups(string relative) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(HomeFile(relative))!, Path.GetFileName(relative) + ".bak-*");

    [Fact]
    public async Task Claude_code_is_printed_with_the_configs_address_and_first_key_and_nothing_is_written()
    {
        await File.WriteAllTextAsync(Path.Combine(_home, "llm-mux.yaml"), "port: 9123\napi-keys: [team-key, other]\n");

        var run = await ConnectAsync("claude-code");

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("export ANTHROPIC_BASE_URL=http://127.0.0.1:9123", run.Out, StringComparison.Ordinal);
        Assert.Contains("export ANTHROPIC_AUTH_TOKEN=team-key", run.Out, StringComparison.Ordinal);
        Assert.Contains("export CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1", run.Out, StringComparison.Ordinal);
        Assert.Contains($"# {HomeFile(".claude/settings.json")} (merge into the file, or run again with --write)", run.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(HomeFile(".claude")));
    }

    [Fact]
    public async Task Claude_code_write_merges_into_existing_settings_and_keeps_a_backup()
    {
        Directory.CreateDirectory(HomeFile(".claude"));
        const string before = """{ "theme": "dark", "env": { "MY_VAR": "kept", "ANTHROPIC_BASE_URL": "https://old" }, "permissions": { "allow": ["Bash"] } }""";
        await File.WriteAllTextAsync(HomeFile(".claude/settings.json"), before);

        var run = await ConnectAsync("claude-code", "--write", "--url", "http://127.0.0.1:8400/", "--key", "k-1", "--model", "claude-sonnet-4-5");

        Assert.True(run.Code == 0, run.ToString());
        using var settings = JsonDocument.Parse(await File.ReadAllTextAsync(HomeFile(".claude/settings.json")));
        var root = settings.RootElement;
        Assert.Equal("dark", root.GetProperty("theme").GetString());
        Assert.Equal("Bash", root.GetProperty("permissions").GetProperty("allow")[0].GetString());
        var env = root.GetProperty("env");
        Assert.Equal("kept", env.GetProperty("MY_VAR").GetString());
        Assert.Equal("http://127.0.0.1:8400", env.GetProperty("ANTHROPIC_BASE_URL").GetString());
        Assert.Equal("k-1", env.GetProperty("ANTHROPIC_AUTH_TOKEN").GetString());
        Assert.Equal("claude-sonnet-4-5", env.GetProperty("ANTHROPIC_DEFAULT_HAIKU_MODEL").GetString());
        var backup = Assert.Single(Backups(".claude/settings.json"));
        Assert.Equal(before, await File.ReadAllTextAsync(backup));
        Assert.Contains($"Backed up {HomeFile(".claude/settings.json")} to {backup}.", run.Out, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(HomeFile(".claude/settings.json")));

        var again = await ConnectAsync("claude-code", "--write", "--url", "http://127.0.0.1:8400/", "--key", "k-1", "--model", "claude-sonnet-4-5");
        Assert.Contains("Unchanged", again.Out, StringComparison.Ordinal);
        Assert.Single(Backups(".claude/settings.json")); // nothing changed, nothing backed up
    }

    [Fact]
    public async Task A_settings_file_that_does_not_parse_is_left_alone_and_reported()
    {
        Directory.CreateDirectory(HomeFile(".claude"));
        await File.WriteAllTextAsync(HomeFile(".claude/settings.json"), "{ not json");

        var run = await ConnectAsync("claude-code", "--write");

        Assert.Equal(1, run.Code);
        Assert.Contains($"{HomeFile(".claude/settings.json")} is not valid JSON", run.Err, StringComparison.Ordinal);
        Assert.Equal("{ not json", await File.ReadAllTextAsync(HomeFile(".claude/settings.json")));
        Assert.Empty(Backups(".claude/settings.json"));
    }

    [Fact]
    public async Task Codex_write_replaces_only_its_provider_table_and_model_provider_key()
    {
        Directory.CreateDirectory(HomeFile(".codex"));
        await File.WriteAllTextAsync(HomeFile(".codex/config.toml"), """
            # my settings
            model_provider = "openai"
            approval_policy = "never"

            [model_providers.llm-mux]
            name = "old"
            base_url = "http://old/v1"

            [projects."/home/me/src"]
            trust_level = "trusted"
            """);

        var run = await ConnectAsync("codex", "--write", "--url", "http://127.0.0.1:8400", "--key", "k-1", "--model", "gpt-4.1");

        Assert.True(run.Code == 0, run.ToString());
        var toml = await File.ReadAllTextAsync(HomeFile(".codex/config.toml"));
        Assert.Contains("approval_policy = \"never\"", toml, StringComparison.Ordinal);
        Assert.Contains("[projects.\"/home/me/src\"]\ntrust_level = \"trusted\"", toml, StringComparison.Ordinal);
        Assert.Contains("model = \"gpt-4.1\"", toml, StringComparison.Ordinal);
        Assert.Single(toml.Split('\n'), l => l.StartsWith("model_provider", StringComparison.Ordinal));
        Assert.Contains("model_provider = \"llm-mux\"", toml, StringComparison.Ordinal);
        Assert.Single(toml.Split('\n'), l => l == "[model_providers.llm-mux]");
        Assert.Contains("base_url = \"http://127.0.0.1:8400/v1\"", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("http://old", toml, StringComparison.Ordinal);
        Assert.Contains("wire_api = \"responses\"", toml, StringComparison.Ordinal);
        Assert.Contains("supports_websockets = true", toml, StringComparison.Ordinal);
        Assert.Contains("env_key = \"LLM_MUX_API_KEY\"", toml, StringComparison.Ordinal);
        Assert.Contains("export LLM_MUX_API_KEY=k-1", run.Out, StringComparison.Ordinal);
        // Root keys stay ahead of the first table, as TOML requires.
        Assert.True(toml.IndexOf("model_provider =", StringComparison.Ordinal) < toml.IndexOf('['), toml);
        Assert.Single(Backups(".codex/config.toml"));
        await TomlChecks.AssertValidAsync(HomeFile(".codex/config.toml"));
    }

    [Fact]
    public async Task Gemini_cli_write_sets_the_api_key_auth_type_and_its_env_file()
    {
        Directory.CreateDirectory(HomeFile(".gemini"));
        await File.WriteAllTextAsync(HomeFile(".gemini/settings.json"), """
            // comments are allowed here
            { "general": { "vimMode": true }, "security": { "auth": { "selectedType": "oauth-personal" } } }
            """);
        await File.WriteAllTextAsync(HomeFile(".gemini/.env"), "OTHER=1\nGEMINI_API_KEY=old\n");

        var run = await ConnectAsync("gemini-cli", "--write", "--url", "http://127.0.0.1:8400", "--key", "k-1");

        Assert.True(run.Code == 0, run.ToString());
        using var settings = JsonDocument.Parse(await File.ReadAllTextAsync(HomeFile(".gemini/settings.json")));
        Assert.True(settings.RootElement.GetProperty("general").GetProperty("vimMode").GetBoolean());
        Assert.Equal("gemini-api-key", settings.RootElement.GetProperty("security").GetProperty("auth").GetProperty("selectedType").GetString());
        Assert.Equal("OTHER=1\nGOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8400\nGEMINI_API_KEY=k-1\n", await File.ReadAllTextAsync(HomeFile(".gemini/.env")));
        Assert.Contains("CODE_ASSIST_ENDPOINT=http://127.0.0.1:8400 GOOGLE_CLOUD_ACCESS_TOKEN=k-1", run.Out, StringComparison.Ordinal);
        Assert.Single(Backups(".gemini/settings.json"));
        Assert.Single(Backups(".gemini/.env"));
    }

    [Fact]
    public async Task Opencode_write_adds_an_openai_compatible_provider_and_keeps_the_others()
    {
        Directory.CreateDirectory(HomeFile(".config/opencode"));
        await File.WriteAllTextAsync(HomeFile(".config/opencode/opencode.json"), """{ "provider": { "ollama": { "npm": "@ai-sdk/openai-compatible" } } }""");

        var run = await ConnectAsync("opencode", "--write", "--url", "http://127.0.0.1:8400", "--model", "gpt-4.1");

        Assert.True(run.Code == 0, run.ToString());
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(HomeFile(".config/opencode/opencode.json")));
        var providers = config.RootElement.GetProperty("provider");
        Assert.True(providers.TryGetProperty("ollama", out _));
        var mux = providers.GetProperty("llm-mux");
        Assert.Equal("http://127.0.0.1:8400/v1", mux.GetProperty("options").GetProperty("baseURL").GetString());
        Assert.True(mux.GetProperty("models").TryGetProperty("gpt-4.1", out _));
        Assert.Equal("llm-mux/gpt-4.1", config.RootElement.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("cursor", "OpenAI Base URL: http://127.0.0.1:8400/v1")]
    [InlineData("openai-sdk", "OpenAI(base_url=\"http://127.0.0.1:8400/v1\", api_key=\"k-1\")")]
    [InlineData("anthropic-sdk", "anthropic.Anthropic(base_url=\"http://127.0.0.1:8400\", api_key=\"k-1\")")]
    public async Task Print_only_clients_print_their_settings_and_refuse_write(string client, string expected)
    {
        var run = await ConnectAsync(client, "--url", "http://127.0.0.1:8400", "--key", "k-1");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains(expected, run.Out, StringComparison.Ordinal);

        var write = await ConnectAsync(client, "--write", "--url", "http://127.0.0.1:8400", "--key", "k-1");
        Assert.Equal(1, write.Code);
        Assert.Contains("has no settings file to write", write.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_client_is_a_usage_error()
    {
        var run = await ConnectAsync("vim");
        Assert.Equal(2, run.Code);
        Assert.Contains("unknown client 'vim'; use one of claude-code, codex, gemini-cli, cursor, opencode, openai-sdk, anthropic-sdk", run.Err, StringComparison.Ordinal);
    }
}
