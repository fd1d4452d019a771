namespace LlmMux.Tests.Agents;

/// <summary>
/// How a user points each agent at llm-mux, non-interactively, with every update check, telemetry and error report
/// off (docs/clients.md shows the same settings). Nothing here names a real provider's host: the agent talks to the
/// gateway only.
/// </summary>
internal static class CodingAgents
{
    /// <summary><c>claude -p</c> with ANTHROPIC_BASE_URL and the client key as ANTHROPIC_API_KEY; every model tier
    /// (the main loop and the background calls) is <paramref name="model"/>.</summary>
    public static Task<AgentResult> ClaudeAsync(
        AgentSandbox sandbox, string gatewayUrl, string clientKey, string model, string prompt,
        IEnumerable<string>? extraArgs = null, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = gatewayUrl,
            ["ANTHROPIC_API_KEY"] = clientKey,
            ["ANTHROPIC_MODEL"] = model,
            ["ANTHROPIC_DEFAULT_OPUS_MODEL"] = model,
            ["ANTHROPIC_DEFAULT_SONNET_MODEL"] = model,
            ["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = model,
            ["CLAUDE_CODE_SUBAGENT_MODEL"] = model,
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return sandbox.RunAsync(AgentInstallation.Bin("claude"), ["-p", prompt, "--output-format", "text", .. extraArgs ?? []], environment);
    }

    /// <summary><c>codex exec</c> with a model provider for llm-mux (Responses wire API) in an isolated CODEX_HOME;
    /// no retries, so a refused request is the run's answer. The last agent message is returned as stdout.</summary>
    public static async Task<AgentResult> CodexAsync(AgentSandbox sandbox, string gatewayUrl, string clientKey, string model, string prompt)
    {
        var codexHome = Directory.CreateDirectory(Path.Combine(sandbox.Home, ".codex")).FullName;
        await File.WriteAllTextAsync(Path.Combine(codexHome, "config.toml"), $"""
            model = "{model}"
            model_provider = "llm-mux"
            check_for_update_on_startup = false

            [model_providers.llm-mux]
            name = "llm-mux"
            base_url = "{gatewayUrl}/v1"
            env_key = "LLM_MUX_API_KEY"
            wire_api = "responses"
            request_max_retries = 0
            stream_max_retries = 0

            [analytics]
            enabled = false
            """);
        var lastMessage = Path.Combine(sandbox.Root, "codex-last-message.txt");
        var run = await sandbox.RunAsync(
            AgentInstallation.Bin("codex"),
            // The sandbox is the test's own temp folder; Codex's bubblewrap sandbox needs namespaces a container may lack.
            ["exec", "--skip-git-repo-check", "--sandbox", "danger-full-access", "--color", "never", "--output-last-message", lastMessage, prompt],
            new Dictionary<string, string> { ["CODEX_HOME"] = codexHome, ["LLM_MUX_API_KEY"] = clientKey });
        var answer = File.Exists(lastMessage) ? await File.ReadAllTextAsync(lastMessage) : "";
        return run with { Stdout = answer, Stderr = $"{run.Stdout}\n{run.Stderr}" };
    }

    /// <summary><c>gemini -p</c> with GOOGLE_GEMINI_BASE_URL and the client key as GEMINI_API_KEY; settings.json in
    /// the isolated home turns usage statistics, telemetry and update checks off.</summary>
    public static async Task<AgentResult> GeminiAsync(
        AgentSandbox sandbox, string gatewayUrl, string clientKey, string model, string prompt, IEnumerable<string>? extraArgs = null)
    {
        var settings = Directory.CreateDirectory(Path.Combine(sandbox.Home, ".gemini")).FullName;
        await File.WriteAllTextAsync(Path.Combine(settings, "settings.json"), """
            {
              "general": { "disableAutoUpdate": true, "disableUpdateNag": true },
              "privacy": { "usageStatisticsEnabled": false },
              "telemetry": { "enabled": false },
              "security": { "auth": { "selectedType": "gemini-api-key" } }
            }
            """);
        return await sandbox.RunAsync(
            AgentInstallation.Bin("gemini"),
            ["-m", model, "-p", prompt, "--output-format", "text", .. extraArgs ?? []],
            new Dictionary<string, string>
            {
                ["GOOGLE_GEMINI_BASE_URL"] = gatewayUrl,
                ["GEMINI_API_KEY"] = clientKey,
                ["GEMINI_CLI_TRUST_WORKSPACE"] = "true",
            });
    }
}
