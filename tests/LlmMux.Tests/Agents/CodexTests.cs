using System.Text.Json;
using LlmMux.Tests.Agents.Upstreams;

namespace LlmMux.Tests.Agents;

/// <summary>The real Codex CLI (<c>codex exec</c>, Responses wire API) through <c>llm-mux serve</c>.</summary>
[Collection(AgentRuns.Name)]
public sealed class CodexTests
{
    [AgentFact]
    public async Task Codex_answers_a_one_shot_prompt_through_an_openai_chat_upstream()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.OpenAI("[gpt-4.1]"),
            _ => new Reply.Text("Hello from the Chat Completions upstream"));
        using var sandbox = new AgentSandbox("codex");

        var run = await CodingAgents.CodexAsync(sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "gpt-4.1", "Say hello");

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Equal("Hello from the Chat Completions upstream", run.Stdout.Trim());
        var sent = Assert.Single(gateway.Upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("gpt-4.1", body.RootElement.GetProperty("model").GetString());
        Assert.Contains("Say hello", body.RootElement.GetProperty("messages").GetRawText(), StringComparison.Ordinal);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }

    [AgentFact]
    public async Task Codex_runs_its_shell_tool_through_an_anthropic_upstream_and_sends_the_output_back()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.Anthropic("[{ name: claude-sonnet-4-5-20250929, alias: gpt-via-anthropic }]"),
            ShellToolLoop.Script("exec_command", """{"cmd":"{command}"}"""));
        using var sandbox = new AgentSandbox("codex-tools");

        var run = await CodingAgents.CodexAsync(sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "gpt-via-anthropic", ShellToolLoop.Prompt);

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Equal(ShellToolLoop.FinalAnswer, run.Stdout.Trim());
        var calls = gateway.Upstream.Requests;
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal("/v1/messages", c.PathAndQuery));
        // The second call carries the tool_result for the tool_use the fake sent, holding what the shell printed.
        using var second = JsonDocument.Parse(calls[1].Body);
        var result = second.RootElement.GetProperty("messages").EnumerateArray()
            .SelectMany(m => m.GetProperty("content").ValueKind == JsonValueKind.Array ? m.GetProperty("content").EnumerateArray().ToList() : [])
            .Single(b => b.GetProperty("type").GetString() == "tool_result");
        Assert.Equal("toolu_01A09q90qw90lq917835lq9", result.GetProperty("tool_use_id").GetString());
        Assert.Contains(ShellToolLoop.Output, result.GetProperty("content").ToString(), StringComparison.Ordinal);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }
}
