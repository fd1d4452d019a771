using LlmMux.Tests.Agents.Upstreams;
using LlmMux.Tests.Connect;

namespace LlmMux.Tests.Agents;

/// <summary>
/// The real agents configured only by <c>llm-mux connect &lt;client&gt; --write</c> in their throw-away home: no base URL
/// or key in their environment (Codex excepted: its key stays an environment variable, as connect prints), so the
/// files connect writes are what the agent accepts. The settings the sandbox writes first (update checks and telemetry
/// off) are merged into, not replaced.
/// </summary>
[Collection(AgentRuns.Name)]
public sealed class ConnectWriteTests
{
    private static async Task ConnectAsync(AgentSandbox sandbox, AgentGateway gateway, string client, string model)
    {
        var run = await CliProcess.RunAsync(sandbox.Work, new Dictionary<string, string> { ["HOME"] = sandbox.Home, ["XDG_CONFIG_HOME"] = Path.Combine(sandbox.Home, ".config") },
            "connect", client, "--write", "--url", gateway.BaseUrl, "--key", AgentGateway.ClientKey, "--model", model);
        Assert.True(run.Code == 0, run.ToString());
    }

    [AgentFact]
    public async Task Claude_code_answers_with_only_the_settings_connect_wrote()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.Anthropic("[{ name: claude-sonnet-4-5-20250929, alias: claude-sonnet-4-5 }]"),
            _ => new Reply.Text("Hello via connect"));
        using var sandbox = new AgentSandbox("connect-claude");
        await ConnectAsync(sandbox, gateway, "claude-code", "claude-sonnet-4-5");

        var run = await sandbox.RunAsync(AgentInstallation.Bin("claude"), ["-p", "Say hello", "--output-format", "text"], new Dictionary<string, string>
        {
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
        });

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Contains("Hello via connect", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(gateway.Upstream.Requests, r => r.PathAndQuery == "/v1/messages");
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }

    [AgentFact]
    public async Task Codex_answers_with_the_provider_block_connect_merged_into_its_config()
    {
        await using var gateway = await AgentGateway.StartAsync(AgentGateway.OpenAI("[gpt-4.1]"), _ => new Reply.Text("Hello via connect"));
        using var sandbox = new AgentSandbox("connect-codex");
        var codexHome = Directory.CreateDirectory(Path.Combine(sandbox.Home, ".codex")).FullName;
        await File.WriteAllTextAsync(Path.Combine(codexHome, "config.toml"), """
            check_for_update_on_startup = false

            [analytics]
            enabled = false
            """);
        await ConnectAsync(sandbox, gateway, "codex", "gpt-4.1");

        var lastMessage = Path.Combine(sandbox.Root, "codex-last-message.txt");
        var run = await sandbox.RunAsync(
            AgentInstallation.Bin("codex"),
            ["exec", "--skip-git-repo-check", "--sandbox", "danger-full-access", "--color", "never", "--output-last-message", lastMessage, "Say hello"],
            new Dictionary<string, string> { ["LLM_MUX_API_KEY"] = AgentGateway.ClientKey });

        var answer = File.Exists(lastMessage) ? await File.ReadAllTextAsync(lastMessage) : "";
        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Contains("Hello via connect", answer, StringComparison.Ordinal);
        Assert.Contains("enabled = false", await File.ReadAllTextAsync(Path.Combine(codexHome, "config.toml")), StringComparison.Ordinal);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }

    [AgentFact]
    public async Task Gemini_cli_answers_with_the_settings_and_env_file_connect_wrote()
    {
        await using var gateway = await AgentGateway.StartAsync(AgentGateway.Gemini(), _ => new Reply.Text("Hello via connect"));
        using var sandbox = new AgentSandbox("connect-gemini");
        var settings = Directory.CreateDirectory(Path.Combine(sandbox.Home, ".gemini")).FullName;
        await File.WriteAllTextAsync(Path.Combine(settings, "settings.json"), """
            {
              "general": { "disableAutoUpdate": true, "disableUpdateNag": true },
              "privacy": { "usageStatisticsEnabled": false },
              "telemetry": { "enabled": false }
            }
            """);
        await ConnectAsync(sandbox, gateway, "gemini-cli", "gemini-2.5-flash");

        var run = await sandbox.RunAsync(
            AgentInstallation.Bin("gemini"), ["-p", "Say hello", "--output-format", "text"],
            new Dictionary<string, string> { ["GEMINI_CLI_TRUST_WORKSPACE"] = "true" });

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Contains("Hello via connect", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(gateway.Upstream.Requests, r => r.PathAndQuery.StartsWith("/v1beta/models/gemini-2.5-flash:", StringComparison.Ordinal));
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }
}
