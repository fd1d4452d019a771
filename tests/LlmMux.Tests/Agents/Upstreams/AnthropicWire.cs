using System.Text.Json;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Agents.Upstreams;

/// <summary>Anthropic Messages, with the checks api.anthropic.com makes and its error texts.</summary>
internal sealed class AnthropicWire : IWire
{
    public static readonly AnthropicWire Instance = new();

    private static readonly HashSet<string> Known =
    [
        "model", "messages", "system", "max_tokens", "metadata", "stop_sequences", "stream", "temperature", "top_p",
        "top_k", "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management",
        "output_config", "output_format", "inference_geo",
    ];

    /// <summary>The key and version checks every Anthropic route makes.</summary>
    public static Refusal? RefuseHeaders(RecordedRequest request) =>
        request.Headers.GetValueOrDefault("x-api-key") != ScriptedUpstream.Key ? new Refusal(StatusCodes.Status401Unauthorized, "invalid x-api-key")
        : !request.Headers.ContainsKey("anthropic-version") ? Refusal.Bad("anthropic-version: header is required")
        : null;

    public Refusal? Refuse(RecordedRequest request, JsonElement body)
    {
        if (RefuseHeaders(request) is { } refusal)
        {
            return refusal;
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Refusal.Bad("Input should be an object");
        }

        if (Wire.UnknownField(body, Known) is { } unknown)
        {
            return Refusal.Bad($"{unknown}: Extra inputs are not permitted");
        }

        var betas = request.Headers.GetValueOrDefault("anthropic-beta") ?? "";
        if (body.Has("context_management") && !betas.Contains("context-management-", StringComparison.Ordinal))
        {
            return Refusal.Bad("context_management: Extra inputs are not permitted");
        }

        if (body.Str("model") is null)
        {
            return Refusal.Bad("model: Field required");
        }

        if (!body.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number)
        {
            return Refusal.Bad("max_tokens: Field required");
        }

        if (body.TryGetProperty("thinking", out var thinking) && thinking.Str("type") == "enabled"
            && (!thinking.TryGetProperty("budget_tokens", out var budget) || budget.GetInt32() < 1024))
        {
            return Refusal.Bad("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
        }

        var tools = body.Array("tools").ToList();
        for (var i = 0; i < tools.Count; i++)
        {
            var server = tools[i].Str("type") is { } type && type != "custom";
            if (!server && (!Wire.IsToolName(tools[i].Str("name"), 128) || !tools[i].Has("input_schema")))
            {
                return Refusal.Bad($"tools.{i}.custom: a custom tool needs a name matching ^[a-zA-Z0-9_-]{{1,128}}$ and an input_schema");
            }
        }

        var messages = body.Array("messages").ToList();
        if (messages.Count == 0)
        {
            return Refusal.Bad("messages: at least one message is required");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Str("role") is not ("user" or "assistant" or "system"))
            {
                return Refusal.Bad($"messages.{i}.role: Input should be 'user' or 'assistant'");
            }

            var used = ToolUseIds(messages[i]);
            var answered = ToolResultIds(messages[i]);
            var offered = i > 0 && messages[i - 1].Str("role") == "assistant" ? ToolUseIds(messages[i - 1]) : [];
            if (answered.FirstOrDefault(id => !offered.Contains(id)) is { } stray)
            {
                return Refusal.Bad($"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: {stray}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
            }

            if (i + 1 < messages.Count && used.FirstOrDefault(id => !ToolResultIds(messages[i + 1]).Contains(id)) is { } unanswered)
            {
                return Refusal.Bad($"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {unanswered}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
            }
        }

        return null;
    }

    private static List<string> ToolUseIds(JsonElement message) =>
        [.. message.Array("content").Where(b => b.Str("type") == "tool_use").Select(b => b.Str("id") ?? "")];

    private static List<string> ToolResultIds(JsonElement message) =>
        [.. message.Array("content").Where(b => b.Str("type") == "tool_result").Select(b => b.Str("tool_use_id") ?? "")];

    public IReadOnlyList<string> Tools(JsonElement body) => [.. body.Array("tools").Select(t => t.Str("name") ?? "")];

    public IReadOnlyList<string> ToolResults(JsonElement body) =>
    [
        .. body.Array("messages").SelectMany(m => m.Array("content"))
            .Where(b => b.Str("type") == "tool_result")
            .Select(b => b.TryGetProperty("content", out var c) ? Wire.TextOf(c) : ""),
    ];

    public async Task WriteAsync(HttpContext context, RecordedRequest request, JsonElement body, Reply reply)
    {
        var model = body.Str("model");
        var (block, delta, stop) = reply switch
        {
            Reply.ToolCall call => (
                $$"""{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":{{Wire.Quote(call.Name)}},"input":{} }""",
                $$"""{"type":"input_json_delta","partial_json":{{Wire.Quote(call.ArgumentsJson)}} }""",
                "tool_use"),
            Reply.Text text => (
                """{"type":"text","text":""}""",
                $$"""{"type":"text_delta","text":{{Wire.Quote(text.Value)}} }""",
                "end_turn"),
            _ => throw new ArgumentOutOfRangeException(nameof(reply)),
        };
        if (!body.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            var content = reply switch
            {
                Reply.ToolCall call => $$"""{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":{{Wire.Quote(call.Name)}},"input":{{call.ArgumentsJson}} }""",
                Reply.Text text => $$"""{"type":"text","text":{{Wire.Quote(text.Value)}} }""",
                _ => "",
            };
            await Wire.JsonAsync(context, 200, $$"""
                {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":{{Wire.Quote(model!)}},"content":[{{content}}],
                 "stop_reason":"{{stop}}","stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":12} }
                """);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        string[] events =
        [
            $$"""{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":{{Wire.Quote(model!)}},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1} } }""",
            $$"""{"type":"content_block_start","index":0,"content_block":{{block}} }""",
            $$"""{"type":"content_block_delta","index":0,"delta":{{delta}} }""",
            """{"type":"content_block_stop","index":0}""",
            $$"""{"type":"message_delta","delta":{"stop_reason":"{{stop}}","stop_sequence":null},"usage":{"output_tokens":12} }""",
            """{"type":"message_stop"}""",
        ];
        foreach (var data in events)
        {
            using var doc = JsonDocument.Parse(data);
            await Wire.SendAsync(context, $"event: {doc.RootElement.Str("type")}\ndata: {data}\n\n");
        }
    }

    public Task WriteErrorAsync(HttpContext context, int status, string message) =>
        Wire.JsonAsync(context, status, $$"""
            {"type":"error","error":{"type":"{{(status == 401 ? "authentication_error" : "invalid_request_error")}}","message":{{Wire.Quote(message)}} } }
            """);
}
