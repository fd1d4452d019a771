using System.Text.Json;

namespace LlmMux.Cli;

/// <summary>
/// The requests each client really sends, reduced to what <c>doctor --client</c> needs: its headers (auth scheme,
/// <c>anthropic-version</c>, <c>anthropic-beta</c>, <c>User-Agent</c>) and bodies for discovery, a stream, a tool call
/// and its result, and count_tokens. Shapes follow the recordings of tests/LlmMux.Tests (Claude Code, Codex, Gemini CLI).
/// </summary>
internal sealed record DoctorClientShape(
    string DiscoveryPath,
    IReadOnlyList<(string Name, string Value)> Headers,
    Func<string, string?> FirstModel,
    Func<string, (string Path, string Body)> Stream,
    string StreamEnd,
    Func<string, (string Path, string Body)> ToolCall,
    Func<string, string?> CalledTool,
    Func<string, string, (string Path, string Body)> ToolResult,
    Func<string, (string Path, string Body)?> CountTokens,
    string CountField)
{
    public HttpRequestMessage Prepare(HttpMethod method, string url, string? body)
    {
        var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is not null)
        {
            request.Content = DoctorClient.Json(body);
        }

        return request;
    }
}

internal static class DoctorClientShapes
{
    public static IReadOnlyList<string> Clients { get; } = ["claude-code", "anthropic-sdk", "codex", "openai-sdk", "gemini-cli"];

    private const string Prompt = "Reply with the single word: ok";
    private const string WeatherTool = "get_weather";

    public static DoctorClientShape For(string client, string? key)
    {
        var token = key ?? "llm-mux"; // loopback callers need no key; the clients still send one
        return client switch
        {
            "claude-code" => Anthropic(
                [("Authorization", "Bearer " + token), ("anthropic-version", "2023-06-01"),
                 ("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14"), ("User-Agent", "claude-cli/2.1.86 (external, cli)"), ("x-app", "cli")],
                countTokens: true),
            "anthropic-sdk" => Anthropic([("x-api-key", token), ("anthropic-version", "2023-06-01"), ("User-Agent", "Anthropic/Python 0.69.0")], countTokens: false),
            "codex" => Responses([("Authorization", "Bearer " + token), ("originator", "codex_cli_rs"), ("User-Agent", "codex_cli_rs/0.46.0 (Debian 13; x86_64)")]),
            "openai-sdk" => OpenAIChat([("Authorization", "Bearer " + token), ("User-Agent", "OpenAI/Python 1.109.1")]),
            "gemini-cli" => Gemini([("x-goog-api-key", token), ("User-Agent", "GeminiCLI/0.9.0 (linux; x64)")]),
            _ => throw new ArgumentOutOfRangeException(nameof(client), client, "unknown client"),
        };
    }

    private static DoctorClientShape Anthropic(IReadOnlyList<(string, string)> headers, bool countTokens) => new(
        "/v1/models?limit=1000",
        headers,
        body => FirstId(body, "data", "id"),
        model => ("/v1/messages?beta=true", $$"""{"model":{{Q(model)}},"max_tokens":32,"stream":true,"messages":[{"role":"user","content":{{Q(Prompt)}}}]}"""),
        "message_stop",
        model => ("/v1/messages?beta=true", $$"""{"model":{{Q(model)}},"max_tokens":256,"tools":[{{AnthropicTool}}],"messages":[{"role":"user","content":"What is the weather in Paris? Use the tool."}]}"""),
        body => Find(body, root => root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
            ? content.EnumerateArray().Where(b => Str(b, "type") == "tool_use").Select(b => Str(b, "id")).FirstOrDefault()
            : null),
        (model, id) => ("/v1/messages?beta=true", $$$"""{"model":{{{Q(model)}}},"max_tokens":64,"tools":[{{{AnthropicTool}}}],"messages":[{"role":"user","content":"What is the weather in Paris? Use the tool."},{"role":"assistant","content":[{"type":"tool_use","id":{{{Q(id)}}},"name":"{{{WeatherTool}}}","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":{{{Q(id)}}},"content":"sunny, 21 C"}]}]}"""),
        model => countTokens ? ("/v1/messages/count_tokens?beta=true", $$"""{"model":{{Q(model)}},"messages":[{"role":"user","content":{{Q(Prompt)}}}]}""") : null,
        "input_tokens");

    private const string AnthropicTool = $$$"""{"name":"{{{WeatherTool}}}","description":"The weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""";

    private const string FunctionSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    private static DoctorClientShape OpenAIChat(IReadOnlyList<(string, string)> headers) => new(
        "/v1/models",
        headers,
        body => FirstId(body, "data", "id"),
        model => ("/v1/chat/completions", $$"""{"model":{{Q(model)}},"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":{{Q(Prompt)}}}]}"""),
        "[DONE]",
        model => ("/v1/chat/completions", $$"""{"model":{{Q(model)}},"tools":[{{ChatTool}}],"messages":[{"role":"user","content":"What is the weather in Paris? Use the tool."}]}"""),
        body => Find(body, root => root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("message", out var message) && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0
            ? Str(calls[0], "id") : null),
        (model, id) => ("/v1/chat/completions", $$$"""{"model":{{{Q(model)}}},"tools":[{{{ChatTool}}}],"messages":[{"role":"user","content":"What is the weather in Paris? Use the tool."},{"role":"assistant","content":null,"tool_calls":[{"id":{{{Q(id)}}},"type":"function","function":{"name":"{{{WeatherTool}}}","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":{{{Q(id)}}},"content":"sunny, 21 C"}]}"""),
        _ => null,
        "");

    private const string ChatTool = $$$"""{"type":"function","function":{"name":"{{{WeatherTool}}}","description":"The weather in a city","parameters":{{{FunctionSchema}}}}}""";

    private static DoctorClientShape Responses(IReadOnlyList<(string, string)> headers) => new(
        "/v1/models",
        headers,
        body => FirstId(body, "data", "id") ?? FirstId(body, "models", "slug"),
        model => ("/v1/responses", $$"""{"model":{{Q(model)}},"stream":true,"store":false,"instructions":"You are a coding agent.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":{{Q(Prompt)}}}]}]}"""),
        "response.completed",
        model => ("/v1/responses", $$"""{"model":{{Q(model)}},"store":false,"tools":[{{ResponsesTool}}],"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"What is the weather in Paris? Use the tool."}]}]}"""),
        body => Find(body, root => root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array
            ? output.EnumerateArray().Where(i => Str(i, "type") == "function_call").Select(i => Str(i, "call_id")).FirstOrDefault()
            : null),
        (model, id) => ("/v1/responses", $$"""{"model":{{Q(model)}},"store":false,"tools":[{{ResponsesTool}}],"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"What is the weather in Paris? Use the tool."}]},{"type":"function_call","call_id":{{Q(id)}},"name":"{{WeatherTool}}","arguments":"{\"city\":\"Paris\"}"},{"type":"function_call_output","call_id":{{Q(id)}},"output":"sunny, 21 C"}]}"""),
        _ => null,
        "");

    private const string ResponsesTool = $$"""{"type":"function","name":"{{WeatherTool}}","description":"The weather in a city","parameters":{{FunctionSchema}}}""";

    private static DoctorClientShape Gemini(IReadOnlyList<(string, string)> headers) => new(
        "/v1beta/models",
        headers,
        body => FirstId(body, "models", "name") is { } name ? (name.StartsWith("models/", StringComparison.Ordinal) ? name["models/".Length..] : name) : null,
        model => ($"/v1beta/models/{Uri.EscapeDataString(model)}:streamGenerateContent?alt=sse", $$"""{"contents":[{"role":"user","parts":[{"text":{{Q(Prompt)}}}]}]}"""),
        "finishReason",
        model => ($"/v1beta/models/{Uri.EscapeDataString(model)}:generateContent", $$"""{"tools":[{{GeminiTool}}],"contents":[{"role":"user","parts":[{"text":"What is the weather in Paris? Use the tool."}]}]}"""),
        body => Find(body, root => root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array && candidates.GetArrayLength() > 0
            && candidates[0].TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array
            && parts.EnumerateArray().Any(p => p.TryGetProperty("functionCall", out _)) ? WeatherTool : null),
        (model, _) => ($"/v1beta/models/{Uri.EscapeDataString(model)}:generateContent", $$$$"""{"tools":[{{{{GeminiTool}}}}],"contents":[{"role":"user","parts":[{"text":"What is the weather in Paris? Use the tool."}]},{"role":"model","parts":[{"functionCall":{"name":"{{{{WeatherTool}}}}","args":{"city":"Paris"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"{{{{WeatherTool}}}}","response":{"weather":"sunny, 21 C"}}}]}]}"""),
        model => ($"/v1beta/models/{Uri.EscapeDataString(model)}:countTokens", $$"""{"contents":[{"role":"user","parts":[{"text":{{Q(Prompt)}}}]}]}"""),
        "totalTokens");

    private const string GeminiTool = $$"""{"functionDeclarations":[{"name":"{{WeatherTool}}","description":"The weather in a city","parameters":{{FunctionSchema}}}]}""";

    /// <summary>A JSON string literal (escaped with the source-generated-free writer: no reflection).</summary>
    private static string Q(string value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string? FirstId(string body, string list, string field) => Find(body, root =>
        root.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Select(i => Str(i, field)).FirstOrDefault(id => id is { Length: > 0 })
            : null);

    private static string? Find(string body, Func<JsonElement, string?> pick)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object ? pick(json.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
