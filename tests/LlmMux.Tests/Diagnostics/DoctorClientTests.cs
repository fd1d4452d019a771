using LlmMux.Tests.Agents;
using LlmMux.Tests.Agents.Upstreams;
using LlmMux.Tests.Connect;

namespace LlmMux.Tests.Diagnostics;

/// <summary>
/// <c>llm-mux doctor --client NAME</c> against a real <c>serve</c> in front of the scripted upstream (which refuses
/// what the real API would): for each client, every step it takes (discovery, a stream, a tool call and its result
/// sent back, count_tokens where it counts) passes through the translation to the provider's own API; when something
/// is wrong (the upstream gone or refusing the account's key, a wrong client key, no model, a model that does not
/// call the tool) the report says which step and why, in words.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DoctorClientTests
{
    /// <summary>The gateway gives up on a refused or gone upstream at once instead of waiting out its cooldown.</summary>
    private const string FailFast = "routing:\n  max-cooldown-wait: 0s";

    /// <summary>The model calls the offered tool when asked about the weather, then answers the tool's result in words.</summary>
    private static Reply CallsTheTool(Turn turn) =>
        turn.Tools.Contains("get_weather") && turn.ToolResults.Count == 0 && turn.Request.Body.Contains("weather in Paris", StringComparison.Ordinal)
            ? new Reply.ToolCall("get_weather", """{"city":"Paris"}""")
            : new Reply.Text("ok");

    public static TheoryData<string, string, string> EveryClient => new()
    {
        // client, its gateway's provider (on the fake), the model the gateway lists first
        { "claude-code", AgentGateway.Anthropic("[claude-sonnet-4-5]"), "claude-sonnet-4-5" },
        { "anthropic-sdk", AgentGateway.Anthropic("[claude-sonnet-4-5]"), "claude-sonnet-4-5" },
        { "codex", AgentGateway.OpenAI("[gpt-4.1]"), "gpt-4.1" },
        { "openai-sdk", AgentGateway.OpenAI("[gpt-4.1]"), "gpt-4.1" },
        { "gemini-cli", AgentGateway.Gemini("[gemini-2.5-flash]"), "gemini-2.5-flash" },
    };

    private static Task<CliResult> DoctorAsync(AgentGateway gateway, string client, params string[] more)
    {
        var dir = Path.GetDirectoryName(gateway.ConfigPath)!;
        return CliProcess.RunAsync(
            dir,
            new Dictionary<string, string> { ["HOME"] = dir, ["LLM_MUX_AUTH_DIR"] = Path.Combine(dir, "auth") },
            ["doctor", "--client", client, "--url", gateway.BaseUrl, "--config", gateway.ConfigPath, .. more]);
    }

    private static string Describe(CliResult run, AgentGateway gateway) =>
        $"{run}\n--- upstream requests\n{string.Join('\n', gateway.Upstream.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"))}" +
        $"\n--- upstream refused\n{gateway.Upstream.Rejections}\n--- llm-mux log\n{gateway.Log}";

    [Theory]
    [MemberData(nameof(EveryClient))]
    public async Task Every_step_the_client_takes_passes_through_the_gateway(string client, string provider, string model)
    {
        await using var gateway = await AgentGateway.StartAsync(provider, CallsTheTool);

        var run = await DoctorAsync(gateway, client);

        Assert.True(run.Code == 0, Describe(run, gateway));
        var lines = run.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith($"ok   {client} model discovery: GET /v", StringComparison.Ordinal) && l.Contains($" lists {model}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"ok   {client} streaming: POST /v", StringComparison.Ordinal) && l.EndsWith(" streamed an answer to its end", StringComparison.Ordinal));
        Assert.Contains($"\nok   {client} tool call: the model called the tool and answered its result\n", run.Out, StringComparison.Ordinal);
        Assert.Equal(client is "claude-code" or "anthropic-sdk" or "gemini-cli", run.Out.Contains($"\nok   {client} count tokens: POST /v", StringComparison.Ordinal));
        Assert.DoesNotContain($"\nwarn {client}", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain($"\nfail ", run.Out, StringComparison.Ordinal);
        Assert.Equal("(none)", gateway.Upstream.Rejections);

        // The tool's result reached the provider in its own API's form, answering the call the fake made.
        var results = gateway.Upstream.LastToolResults;
        Assert.True(results.Count == 1 && results[0].Contains("sunny, 21 C", StringComparison.Ordinal), Describe(run, gateway));
        gateway.AssertClientKeyNeverReachedTheUpstream();
        Assert.DoesNotContain(ScriptedUpstream.Key, run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(AgentGateway.ClientKey, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gone_upstream_fails_the_steps_that_reach_it_with_the_gateways_message()
    {
        await using var gateway = await AgentGateway.StartAsync(AgentGateway.Anthropic("[claude-sonnet-4-5]"), CallsTheTool, FailFast);
        await gateway.Upstream.DisposeAsync();

        var run = await DoctorAsync(gateway, "claude-code");

        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains("ok   claude-code model discovery", run.Out, StringComparison.Ordinal); // the gateway answers it itself
        var streaming = run.Out.Split('\n').SingleOrDefault(l => l.StartsWith("fail claude-code streaming: POST /v1/messages failed: HTTP 5", StringComparison.Ordinal));
        Assert.True(streaming is not null, run.ToString());
        Assert.Matches(@"HTTP 5\d\d: \S", streaming); // the gateway's own error message follows the status
        Assert.Contains("\nfail claude-code tool call: POST /v1/messages with a tool failed: HTTP ", run.Out, StringComparison.Ordinal);
        Assert.Contains("\nfail claude-code count tokens: POST /v1/messages/count_tokens failed: HTTP ", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_client_key_fails_discovery_and_says_the_key_was_refused()
    {
        await using var gateway = await AgentGateway.StartAsync(AgentGateway.Anthropic("[claude-sonnet-4-5]"), CallsTheTool);

        var run = await DoctorAsync(gateway, "anthropic-sdk", "--key", "not-a-client-key");

        Assert.True(run.Code == 1, run.ToString());
        var discovery = run.Out.Split('\n').SingleOrDefault(l => l.StartsWith("fail anthropic-sdk model discovery: GET /v1/models failed: HTTP 401: ", StringComparison.Ordinal));
        Assert.True(discovery is not null, run.ToString());
        Assert.DoesNotContain("anthropic-sdk streaming", run.Out, StringComparison.Ordinal); // every later step needs a model
        Assert.DoesNotContain("not-a-client-key", run.Out, StringComparison.Ordinal);
        Assert.Empty(gateway.Upstream.Requests);
    }

    [Fact]
    public async Task An_upstream_that_refuses_the_accounts_key_fails_codex_streaming_with_the_reason()
    {
        await using var gateway = await AgentGateway.StartAsync(
            "  - name: openai\n    type: openai\n    base-url: {upstream}/v1\n    api-keys: [sk-revoked]\n    models: [gpt-4.1]\n", CallsTheTool, FailFast);

        var run = await DoctorAsync(gateway, "codex");

        Assert.True(run.Code == 1, Describe(run, gateway));
        var streaming = run.Out.Split('\n').SingleOrDefault(l => l.StartsWith("fail codex streaming: POST /v1/responses failed: HTTP ", StringComparison.Ordinal));
        Assert.True(streaming is not null, Describe(run, gateway));
        Assert.Matches(@"HTTP \d{3}: \S", streaming);
        Assert.Contains("\nfail codex tool call: POST /v1/responses with a tool failed: HTTP ", run.Out, StringComparison.Ordinal);
        Assert.Contains(gateway.Upstream.Requests, r => r.PathAndQuery == "/v1/chat/completions"); // it did reach the provider
        Assert.DoesNotContain("sk-revoked", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_with_no_models_fails_openai_sdk_discovery_and_says_to_add_models()
    {
        await using var gateway = await AgentGateway.StartAsync(
            "  - name: openai\n    type: openai\n    base-url: {upstream}/v1\n    api-keys: [{key}]\n", CallsTheTool);

        var run = await DoctorAsync(gateway, "openai-sdk");

        Assert.True(run.Code == 1, Describe(run, gateway));
        Assert.Contains("\nfail openai-sdk model discovery: GET /v1/models listed no model: add models to a provider\n", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("openai-sdk streaming", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_answers_without_calling_the_tool_is_a_warning_for_gemini_cli_and_the_result_still_goes_back()
    {
        await using var gateway = await AgentGateway.StartAsync(AgentGateway.Gemini("[gemini-2.5-flash]"), _ => new Reply.Text("It is sunny."));

        var run = await DoctorAsync(gateway, "gemini-cli");

        Assert.True(run.Code == 0, Describe(run, gateway));
        Assert.Contains("\nwarn gemini-cli tool call: the model answered without calling the tool; sending a tool result back works\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("\nok   gemini-cli streaming: ", run.Out, StringComparison.Ordinal);
        Assert.Equal("(none)", gateway.Upstream.Rejections); // the made-up call and its response are a history the API accepts
    }
}
