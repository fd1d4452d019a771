using System.Text.Json;
using LlmMux.Tests.Agents.Upstreams;

namespace LlmMux.Tests.Agents;

/// <summary>The real Claude Code CLI (<c>claude -p</c>) through <c>llm-mux serve</c>.</summary>
[Collection(AgentRuns.Name)]
public sealed class ClaudeCodeTests
{
    [AgentFact]
    public async Task Claude_code_answers_a_one_shot_prompt_through_an_anthropic_upstream()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.Anthropic("[{ name: claude-sonnet-4-5-20250929, alias: claude-sonnet-4-5 }]"),
            _ => new Reply.Text("Hello from the Anthropic upstream"));
        using var sandbox = new AgentSandbox("claude");

        var run = await CodingAgents.ClaudeAsync(sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "claude-sonnet-4-5", "Say hello");

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Contains("Hello from the Anthropic upstream", run.Stdout, StringComparison.Ordinal);
        var sent = Assert.Single(gateway.Upstream.Requests, r => r.PathAndQuery == "/v1/messages");
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("claude-sonnet-4-5-20250929", body.RootElement.GetProperty("model").GetString());
        // Same dialect: Claude Code's own betas reach Anthropic as it sent them.
        Assert.Contains("claude-code-20250219", sent.Headers["anthropic-beta"], StringComparison.Ordinal);
        Assert.Equal(ScriptedUpstream.Key, sent.Headers["x-api-key"]);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }

    [AgentFact]
    public async Task Claude_code_runs_its_bash_tool_through_an_openai_chat_upstream_and_sends_the_output_back()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.OpenAI("[{ name: gpt-4.1, alias: claude-via-openai }]"),
            ShellToolLoop.Script("Bash", """{"command":"{command}","description":"Print a marker"}"""));
        using var sandbox = new AgentSandbox("claude-tools");

        var run = await CodingAgents.ClaudeAsync(
            sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "claude-via-openai", ShellToolLoop.Prompt,
            ["--allowedTools", "Bash"]);

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Contains(ShellToolLoop.FinalAnswer, run.Stdout, StringComparison.Ordinal);
        var calls = gateway.Upstream.Requests.Where(r => r.PathAndQuery == "/v1/chat/completions").ToList();
        Assert.True(calls.Count >= 2, gateway.Describe(run));
        // The tool result arrived as an OpenAI tool message answering the call the fake made.
        var answered = calls.Select(c => JsonDocument.Parse(c.Body)).Select(d => d.RootElement.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "tool").Select(m => (m.GetProperty("tool_call_id").GetString(), m.GetProperty("content").ToString())).ToList())
            .Last(m => m.Count > 0);
        var (id, content) = Assert.Single(answered);
        Assert.Equal("call_Vx8nTBEU0zq5bAlc6rnX3wAz", id);
        Assert.Contains(ShellToolLoop.Output, content, StringComparison.Ordinal);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }
}
