using System.Text.Json.Nodes;
using LlmMux.Tests.Agents.Upstreams;
using LlmMux.Tests.Connect;

namespace LlmMux.Tests.Diagnostics;

/// <summary>
/// <c>llm-mux doctor --client claude-code</c> against a real <c>serve</c> in front of the scripted Anthropic upstream
/// (which refuses what api.anthropic.com would): each step Claude Code takes (discovery, a stream, a tool call and its
/// result, count_tokens) passes; with the upstream gone, the steps that reach it fail with the gateway's message.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DoctorClientTests : IAsyncLifetime
{
    private const string ClientKey = "doctor-client-key";
    private ScriptedUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private bool _upstreamStopped;

    public async Task InitializeAsync()
    {
        // The model calls the offered tool once, then answers the tool's result in words.
        _upstream = await ScriptedUpstream.StartAsync(turn => turn.Tools.Contains("get_weather") && turn.ToolResults.Count == 0
            ? new Reply.ToolCall("get_weather", """{"city":"Paris"}""")
            : new Reply.Text("ok"));
        _dir = Directory.CreateTempSubdirectory("llm-mux-doctor-client-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{ClientKey}]
            providers:
              - name: anthropic
                type: anthropic
                base-url: {_upstream.BaseUrl}
                api-keys: [{ScriptedUpstream.Key}]
                models: [claude-sonnet-4-5]
            routing:
              max-cooldown-wait: 0s # a gone upstream fails each request at once instead of waiting out its cooldown
            """);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        if (!_upstreamStopped)
        {
            await _upstream.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Task<CliResult> DoctorAsync() => CliProcess.RunAsync(
        _dir,
        new Dictionary<string, string> { ["HOME"] = _dir, ["LLM_MUX_AUTH_DIR"] = Path.Combine(_dir, "auth") },
        "doctor", "--client", "claude-code", "--url", _gateway.BaseUrl, "--config", Path.Combine(_dir, "llm-mux.yaml"));

    [Fact]
    public async Task Every_step_claude_code_takes_passes()
    {
        var run = await DoctorAsync();

        Assert.True(run.Code == 0, $"{run}\n--- upstream refused ---\n{_upstream.Rejections}\n--- llm-mux log ---\n{_gateway.Output}");
        Assert.Contains("ok   claude-code model discovery: GET /v1/models lists claude-sonnet-4-5", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok   claude-code streaming: POST /v1/messages streamed an answer to its end", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok   claude-code tool call: the model called the tool and answered its result", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok   claude-code count tokens: POST /v1/messages/count_tokens counts the prompt", run.Out, StringComparison.Ordinal);
        Assert.Equal("(none)", _upstream.Rejections);

        var requests = _upstream.Requests;
        Assert.Contains(requests, r => JsonNode.Parse(r.Body)?["stream"]?.GetValue<bool>() == true);
        Assert.Contains(requests, r => r.Body.Contains("\"tool_result\"", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.PathAndQuery.StartsWith("/v1/messages/count_tokens", StringComparison.Ordinal));
        Assert.DoesNotContain(ScriptedUpstream.Key, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_upstream_fails_the_steps_that_reach_it_with_the_gateways_message()
    {
        await _upstream.DisposeAsync();
        _upstreamStopped = true;

        var run = await DoctorAsync();

        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("ok   claude-code model discovery", run.Out, StringComparison.Ordinal); // the gateway answers it itself
        var lines = run.Out.Split('\n');
        var streaming = lines.SingleOrDefault(l => l.StartsWith("fail claude-code streaming: POST /v1/messages failed: HTTP 5", StringComparison.Ordinal));
        Assert.True(streaming is not null, run.ToString());
        Assert.Matches(@"HTTP 5\d\d: \S", streaming); // the gateway's own error message follows the status
        Assert.Contains("\nfail claude-code tool call: POST /v1/messages with a tool failed: HTTP ", run.Out, StringComparison.Ordinal);
        Assert.Contains("\nfail claude-code count tokens: POST /v1/messages/count_tokens failed: HTTP ", run.Out, StringComparison.Ordinal);
    }
}
