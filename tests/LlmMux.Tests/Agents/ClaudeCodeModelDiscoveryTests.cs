using System.Text.Json;
using LlmMux.Tests.Agents.Upstreams;

namespace LlmMux.Tests.Agents;

/// <summary>
/// Claude Code's gateway model discovery (<c>CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1</c>): at start it asks
/// <c>GET /v1/models?limit=1000</c>, keeps the ids that start with <c>claude</c> or <c>anthropic</c>, and writes them
/// with their display names to <c>~/.claude/cache/gateway-models.json</c>, which its <c>/model</c> picker lists.
/// </summary>
[Collection(AgentRuns.Name)]
public sealed class ClaudeCodeModelDiscoveryTests
{
    [AgentFact]
    public async Task Claude_code_discovers_an_openai_model_under_a_claude_alias_and_answers_with_it()
    {
        using var sandbox = new AgentSandbox("claude-discovery");
        var cache = Path.Combine(sandbox.Home, ".claude", "cache", "gateway-models.json");
        await using var gateway = await AgentGateway.StartAsync(AgentGateway.OpenAI("[gpt-4.1]") + "claude-code:\n  alias-prefix: claude-via-\n", _ =>
            {
                // Claude Code does not wait for discovery before its first call: the answer waits for the cache
                // instead, so the run cannot end before discovery has written it (no race, whatever the speed).
                SpinWait.SpinUntil(() => File.Exists(cache), TimeSpan.FromMinutes(2));
                return new Reply.Text("Hello from gpt-4.1");
            });
        var discovery = new Dictionary<string, string> { ["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"] = "1" };

        // First run: on the plain OpenAI id (routable, not listed by Claude Code) so that discovery runs at start.
        var first = await CodingAgents.ClaudeAsync(sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "gpt-4.1", "Say hello", extraEnvironment: discovery);
        Assert.True(first.ExitCode == 0, gateway.Describe(first));
        Assert.True(File.Exists(cache), $"Claude Code wrote no discovery cache\n{gateway.Describe(first)}");
        using var listed = JsonDocument.Parse(await File.ReadAllTextAsync(cache));
        Assert.Equal(gateway.BaseUrl, listed.RootElement.GetProperty("baseUrl").GetString());
        var alias = listed.RootElement.GetProperty("models").EnumerateArray()
            .FirstOrDefault(m => m.TryGetProperty("display_name", out var name) && name.GetString()!.Contains("gpt-4.1", StringComparison.Ordinal));
        Assert.True(alias.ValueKind == JsonValueKind.Object, $"no discovered model names gpt-4.1: {listed.RootElement.GetRawText()}");
        var id = alias.GetProperty("id").GetString()!;
        Assert.StartsWith("claude", id, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("openai", alias.GetProperty("display_name").GetString()!, StringComparison.OrdinalIgnoreCase);

        // Second run: the model the picker offers, as a user would choose it, reaches gpt-4.1.
        var second = await CodingAgents.ClaudeAsync(sandbox, gateway.BaseUrl, AgentGateway.ClientKey, id, "Say hello", extraEnvironment: discovery);
        Assert.True(second.ExitCode == 0, gateway.Describe(second));
        Assert.Contains("Hello from gpt-4.1", second.Stdout, StringComparison.Ordinal);
        Assert.All(gateway.Upstream.Requests, r => Assert.Contains("\"model\":\"gpt-4.1\"", r.Body.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal));
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }
}
