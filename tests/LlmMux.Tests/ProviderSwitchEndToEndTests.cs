using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// A model switch inside one conversation through a real <c>llm-mux serve</c>: an Anthropic client (as Claude Code)
/// streams a tool-calling turn with thinking from a Gemini model, runs the tool, and sends the history to a Claude
/// model. The Anthropic fake refuses what Anthropic refuses: a thinking block it did not sign, a tool_use id outside
/// <c>^[a-zA-Z0-9_-]+$</c>, a tool loop that starts without thinking while thinking is on. The same-dialect body must
/// therefore not be passed on as sent.
/// </summary>
public sealed class ProviderSwitchEndToEndTests : IAsyncLifetime
{
    private const string GeminiSignature = "R2VtaW5pU2lnbmF0dXJl";
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async (context, recorded) =>
        {
            if (context.Request.Path.Value!.Contains(":streamGenerateContent", StringComparison.Ordinal))
            {
                context.Response.ContentType = "text/event-stream";
                await FakeUpstream.SendEventAsync(context, """{"candidates":[{"content":{"role":"model","parts":[{"text":"I should list the files.","thought":true}]},"index":0}]}""");
                await FakeUpstream.SendEventAsync(context, $$$"""{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"bash","args":{"command":"ls"}},"thoughtSignature":"{{{GeminiSignature}}}"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":8,"thoughtsTokenCount":6,"totalTokenCount":44}}""");
                return;
            }

            var body = JsonNode.Parse(recorded.Body)!;
            if (AnthropicRejects(body) is { } reason)
            {
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject
                {
                    ["type"] = "error",
                    ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["message"] = reason },
                }.ToJsonString());
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Two files."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":3}}""");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-switch-e2e-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [client-key]
            providers:
              - name: gem
                type: gemini-api
                base-url: {_upstream.BaseUrl}
                api-keys: [gemini-key]
                models: [{"{"} name: gemini-3-pro-preview, alias: claude-gemini {"}"}]
              - name: anth
                type: anthropic
                base-url: {_upstream.BaseUrl}
                api-keys: [sk-ant-upstream]
                models: [claude-sonnet-4-5]
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Anthropic's verdict on the replayed history (the rules that matter here).</summary>
    private static string? AnthropicRejects(JsonNode body)
    {
        bool thinking = (string?)body["thinking"]?["type"] == "enabled";
        JsonNode? lastAssistant = null;
        foreach (var message in body["messages"]!.AsArray())
        {
            if (message!["content"] is not JsonArray blocks)
            {
                continue;
            }

            foreach (var block in blocks)
            {
                switch ((string?)block!["type"])
                {
                    case "thinking":
                        return "Invalid `signature` in `thinking` block"; // this fake signed nothing in this conversation
                    case "tool_use" when !System.Text.RegularExpressions.Regex.IsMatch((string)block["id"]!, "^[a-zA-Z0-9_-]+$"):
                        return "tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'";
                    case "text" or "tool_use" or "tool_result" or "redacted_thinking":
                        break;
                    default:
                        return $"Input tag '{block["type"]}' found using 'type' does not match any of the expected tags";
                }
            }

            if ((string?)message["role"] == "assistant")
            {
                lastAssistant = message;
            }
        }

        bool loop = lastAssistant?["content"] is JsonArray last && last.Any(b => (string?)b!["type"] == "tool_use");
        return thinking && loop ? "When `thinking` is enabled, a final `assistant` message must start with a thinking block" : null;
    }

    private async Task<(HttpStatusCode Status, string Body)> MessagesAsync(JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/messages");
        request.Headers.Add("x-api-key", "client-key");
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_conversation_moves_from_a_gemini_model_to_a_claude_model_without_a_400()
    {
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "List the files." });
        JsonObject Request(string model, bool stream) => new()
        {
            ["model"] = model,
            ["max_tokens"] = 4096,
            ["stream"] = stream,
            ["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2048 },
            ["tools"] = new JsonArray(new JsonObject { ["name"] = "bash", ["input_schema"] = new JsonObject { ["type"] = "object" } }),
            ["messages"] = messages.DeepClone(),
        };

        // Turn 1, streamed from Gemini: the client assembles the content blocks as the Anthropic SDK does.
        var (status, sse) = await MessagesAsync(Request("claude-gemini", stream: true));
        Assert.Equal(HttpStatusCode.OK, status);
        var content = new JsonArray();
        foreach (var line in sse.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        {
            var e = JsonNode.Parse(line[6..])!;
            switch ((string?)e["type"])
            {
                case "content_block_start":
                    content.Add(e["content_block"]!.DeepClone());
                    break;
                case "content_block_delta":
                    var block = content[^1]!;
                    var delta = e["delta"]!;
                    switch ((string?)delta["type"])
                    {
                        case "thinking_delta": block["thinking"] = (string?)block["thinking"] + (string?)delta["thinking"]; break;
                        case "signature_delta": block["signature"] = (string?)delta["signature"]; break;
                        case "input_json_delta": block["partial"] = (string?)block["partial"] + (string?)delta["partial_json"]; break;
                        default: break;
                    }

                    break;
                default:
                    break;
            }
        }

        var toolUse = content.Single(b => (string?)b!["type"] == "tool_use")!.AsObject();
        toolUse["input"] = JsonNode.Parse((string?)toolUse["partial"] is { Length: > 0 } p ? p : "{}");
        toolUse.Remove("partial");
        Assert.Contains(content, b => (string?)b!["type"] == "thinking" && ((string?)b["signature"])!.EndsWith(GeminiSignature, StringComparison.Ordinal));

        // Turn 2, the user switched to a Claude model: same dialect, foreign thinking in the history.
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = content });
        messages.Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = (string)toolUse["id"]!, ["content"] = "a.txt\nb.txt" }),
        });
        var (status2, answer) = await MessagesAsync(Request("claude-sonnet-4-5", stream: false));
        Assert.True(status2 == HttpStatusCode.OK, answer);
        Assert.Equal("Two files.", (string?)JsonNode.Parse(answer)!["content"]![0]!["text"]);

        var sent = _upstream.Requests.Last(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal)).Body;
        Assert.DoesNotContain(GeminiSignature, sent, StringComparison.Ordinal);
        Assert.Contains((string)toolUse["id"]!, sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cursor_tool_blocks_on_chat_completions_reach_anthropic_as_a_tool_loop()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/chat/completions");
        request.Headers.Add("Authorization", "Bearer client-key");
        request.Content = new StringContent("""
            {"model":"claude-sonnet-4-5","messages":[
              {"role":"user","content":[{"type":"text","text":"List the files."}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01Cur","name":"run_terminal_cmd","input":{"command":"ls"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01Cur","content":"a.txt"},{"type":"text","text":"Count them."}]}],
             "tools":[{"type":"function","function":{"name":"run_terminal_cmd","parameters":{"type":"object"}}}]}
            """, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("Two files.", (string?)JsonNode.Parse(text)!["choices"]![0]!["message"]!["content"]);
        var sent = JsonNode.Parse(_upstream.Requests.Last(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal)).Body)!;
        var messages = sent["messages"]!.AsArray();
        Assert.Equal("toolu_01Cur", (string?)messages[1]!["content"]![0]!["id"]);
        Assert.Equal("tool_result", (string?)messages[2]!["content"]![0]!["type"]);
        Assert.Equal("toolu_01Cur", (string?)messages[2]!["content"]![0]!["tool_use_id"]);
    }
}
