using System.Text.Json;
using LlmMux.Tests.Agents.Upstreams;

namespace LlmMux.Tests.Agents;

/// <summary>The real Gemini CLI (<c>gemini -p</c>) through <c>llm-mux serve</c>.</summary>
[Collection(AgentRuns.Name)]
public sealed class GeminiCliTests
{
    [AgentFact]
    public async Task Gemini_cli_answers_a_one_shot_prompt_through_a_gemini_api_upstream()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.Gemini(),
            _ => new Reply.Text("Hello from the Gemini upstream"));
        using var sandbox = new AgentSandbox("gemini");

        var run = await CodingAgents.GeminiAsync(sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "gemini-2.5-flash", "Say hello");

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.Contains("Hello from the Gemini upstream", run.Stdout, StringComparison.Ordinal);
        var sent = Assert.Single(gateway.Upstream.Requests, r => r.PathAndQuery.StartsWith("/v1beta/models/gemini-2.5-flash:", StringComparison.Ordinal));
        Assert.Equal(ScriptedUpstream.Key, sent.Headers["x-goog-api-key"]);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Contains("Say hello", body.RootElement.GetProperty("contents").GetRawText(), StringComparison.Ordinal);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }

    [AgentFact]
    public async Task Gemini_cli_runs_its_shell_tool_through_an_openai_chat_upstream_and_sends_the_output_back()
    {
        await using var gateway = await AgentGateway.StartAsync(
            AgentGateway.OpenAI("[{ name: gpt-4.1, alias: gemini-via-openai }]"),
            ShellToolLoop.Script("run_shell_command", """{"command":"{command}","description":"Print a marker"}"""));
        using var sandbox = new AgentSandbox("gemini-tools");

        // yolo: the shell tool is offered and run without a confirmation prompt, as a headless run needs.
        var run = await CodingAgents.GeminiAsync(
            sandbox, gateway.BaseUrl, AgentGateway.ClientKey, "gemini-via-openai", ShellToolLoop.Prompt, ["--approval-mode", "yolo"]);

        Assert.True(run.ExitCode == 0, gateway.Describe(run));
        Assert.True(run.Stdout.Contains(ShellToolLoop.FinalAnswer, StringComparison.Ordinal), gateway.Describe(run));
        var calls = gateway.Upstream.Requests.Where(r => r.PathAndQuery == "/v1/chat/completions").ToList();
        var withResult = calls.Select(c => c.Body).Where(b => b.Contains("\"role\":\"tool\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(withResult);
        Assert.Contains(ShellToolLoop.Output, withResult[^1], StringComparison.Ordinal);
        gateway.AssertClientKeyNeverReachedTheUpstream();
    }
}
