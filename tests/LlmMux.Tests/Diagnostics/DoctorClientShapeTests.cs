using System.Text.Json;
using LlmMux.Cli;

namespace LlmMux.Tests.Diagnostics;

/// <summary>
/// The requests <c>doctor --client</c> sends match what each real client sent to a capturing proxy: Codex CLI 0.171.0
/// and Gemini CLI 0.61.0 (the versions tests/agents pins) and the TypeScript SDKs openai 7.55.0 and
/// @anthropic-ai/sdk 1.17.0: the same method, path, header names (less the transport's own, and Codex's per-turn
/// <c>x-codex-turn-metadata</c>) and top-level body fields, step by step.
/// </summary>
public sealed class DoctorClientShapeTests
{
    private const string Stainless = "accept authorization user-agent x-stainless-arch x-stainless-lang x-stainless-os x-stainless-package-version x-stainless-retry-count x-stainless-runtime x-stainless-runtime-version";
    private const string AnthropicSdk = Stainless + " anthropic-version x-stainless-timeout";

    /// <summary>client, step, the recorded method and path, its header names, its body's fields.</summary>
    public static TheoryData<string, string, string, string, string> Recorded => new()
    {
        { "codex", "stream", "POST /v1/responses", "accept authorization originator session-id thread-id user-agent x-client-request-id x-codex-beta-features x-codex-window-id",
          "client_metadata include input model parallel_tool_calls prompt_cache_key reasoning store stream tool_choice tools" },
        { "codex", "tool", "POST /v1/responses", "accept authorization originator session-id thread-id user-agent x-client-request-id x-codex-beta-features x-codex-window-id",
          "client_metadata include input model parallel_tool_calls prompt_cache_key reasoning store stream tool_choice tools" },
        { "gemini-cli", "stream", "POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "accept user-agent x-goog-api-client x-goog-api-key",
          "contents generationConfig systemInstruction tools" },
        { "gemini-cli", "tool", "POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "accept user-agent x-goog-api-client x-goog-api-key",
          "contents generationConfig systemInstruction tools" },
        { "anthropic-sdk", "discovery", "GET /v1/models", AnthropicSdk, "" },
        { "anthropic-sdk", "stream", "POST /v1/messages", AnthropicSdk, "max_tokens messages model stream" },
        { "anthropic-sdk", "tool", "POST /v1/messages", AnthropicSdk, "max_tokens messages model tools" },
        { "anthropic-sdk", "count", "POST /v1/messages/count_tokens", AnthropicSdk, "messages model" },
        { "openai-sdk", "discovery", "GET /v1/models", Stainless, "" },
        { "openai-sdk", "stream", "POST /v1/chat/completions", Stainless, "messages model stream stream_options" },
        { "openai-sdk", "tool", "POST /v1/chat/completions", Stainless, "messages model tools" },
    };

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Each_step_sends_what_the_real_client_sent(string client, string step, string line, string headers, string fields)
    {
        const string model = "gemini-2.5-flash";
        var shape = DoctorClientShapes.For(client, "client-key");
        var (path, body) = step switch
        {
            "discovery" => (shape.DiscoveryPath, (string?)null),
            "stream" => shape.Stream(model),
            "tool" => shape.ToolCall(model),
            _ => shape.CountTokens(model) ?? throw new InvalidOperationException($"{client} counts no tokens"),
        };

        Assert.Equal(line, $"{(body is null ? "GET" : "POST")} {path}");
        using var request = shape.Prepare(body is null ? HttpMethod.Get : HttpMethod.Post, "http://127.0.0.1:1" + path, body, model);
        Assert.Equal(Sorted(headers), string.Join(' ', request.Headers.Select(h => h.Key.ToLowerInvariant()).Order(StringComparer.Ordinal)));
        Assert.Equal(Sorted(fields), body is null ? "" : string.Join(' ', JsonDocument.Parse(body).RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)));
        Assert.Contains(request.Headers, h => h.Value.Any(v => v.Contains("client-key", StringComparison.Ordinal)));
    }

    [Fact]
    public void Gemini_cli_names_the_model_in_its_user_agent_as_it_does()
    {
        using var request = DoctorClientShapes.For("gemini-cli", null).Prepare(HttpMethod.Post, "http://127.0.0.1:1/", "{}", "gemini-2.5-flash");

        Assert.Equal("GeminiCLI-tui/0.61.0/gemini-2.5-flash (linux; x64; terminal)", string.Join(' ', request.Headers.GetValues("User-Agent")));
    }

    private static string Sorted(string names) => string.Join(' ', names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
}
