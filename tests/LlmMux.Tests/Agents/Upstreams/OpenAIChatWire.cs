using System.Text.Json;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Agents.Upstreams;

/// <summary>OpenAI Chat Completions, with the checks api.openai.com makes and its error texts.</summary>
internal sealed class OpenAIChatWire : IWire
{
    public static readonly OpenAIChatWire Instance = new();

    private static readonly HashSet<string> Known =
    [
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p",
        "n", "stop", "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "user", "seed",
        "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "logit_bias", "metadata", "store",
        "service_tier", "modalities", "audio", "prediction", "prompt_cache_key", "safety_identifier", "verbosity",
        "web_search_options", "functions", "function_call",
    ];

    public Refusal? Refuse(RecordedRequest request, JsonElement body)
    {
        if (request.Headers.GetValueOrDefault("Authorization") != $"Bearer {ScriptedUpstream.Key}")
        {
            return new Refusal(StatusCodes.Status401Unauthorized, "Incorrect API key provided.");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Refusal.Bad("We could not parse the JSON body of your request.");
        }

        if (Wire.UnknownField(body, Known) is { } unknown)
        {
            return Refusal.Bad($"Unrecognized request argument supplied: {unknown}");
        }

        if (body.Str("model") is null)
        {
            return Refusal.Bad("you must provide a model parameter");
        }

        if (body.Str("user") is { Length: > 64 } user)
        {
            return Refusal.Bad($"Invalid 'user': string too long. Expected a string with maximum length 64, but got a string with length {user.Length} instead.");
        }

        var streaming = body.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (body.Has("stream_options") && !streaming)
        {
            return Refusal.Bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }

        var tools = body.Array("tools").ToList();
        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i].Str("type") != "function" || !tools[i].TryGetProperty("function", out var function))
            {
                return Refusal.Bad($"Invalid value for 'tools[{i}].type': expected 'function'.");
            }

            if (!Wire.IsToolName(function.Str("name"), 64))
            {
                return Refusal.Bad($"Invalid 'tools[{i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.");
            }
        }

        var messages = body.Array("messages").ToList();
        if (messages.Count == 0)
        {
            return Refusal.Bad("[] is too short - 'messages'");
        }

        var open = new List<string>();
        for (var i = 0; i < messages.Count; i++)
        {
            var role = messages[i].Str("role");
            if (role is not ("system" or "developer" or "user" or "assistant" or "tool"))
            {
                return Refusal.Bad($"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function' and 'developer'.");
            }

            if (role == "tool")
            {
                if (!open.Remove(messages[i].Str("tool_call_id") ?? ""))
                {
                    return Refusal.Bad($"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
                }

                continue;
            }

            if (open.Count > 0)
            {
                return Refusal.Bad($"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {string.Join(", ", open)}");
            }

            open.AddRange(messages[i].Array("tool_calls").Select(c => c.Str("id") ?? ""));
        }

        return null;
    }

    public IReadOnlyList<string> Tools(JsonElement body) =>
        [.. body.Array("tools").Select(t => t.TryGetProperty("function", out var f) ? f.Str("name") ?? "" : "")];

    public IReadOnlyList<string> ToolResults(JsonElement body) =>
    [
        .. body.Array("messages").Where(m => m.Str("role") == "tool")
            .Select(m => m.TryGetProperty("content", out var c) ? Wire.TextOf(c) : ""),
    ];

    public async Task WriteAsync(HttpContext context, RecordedRequest request, JsonElement body, Reply reply)
    {
        var model = Wire.Quote(body.Str("model")!);
        var finish = reply is Reply.ToolCall ? "tool_calls" : "stop";
        if (!body.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            var message = reply switch
            {
                Reply.ToolCall call => $$"""{"role":"assistant","content":null,"tool_calls":[{"id":"call_Vx8nTBEU0zq5bAlc6rnX3wAz","type":"function","function":{"name":{{Wire.Quote(call.Name)}},"arguments":{{Wire.Quote(call.ArgumentsJson)}} } }]}""",
                Reply.Text text => $$"""{"role":"assistant","content":{{Wire.Quote(text.Value)}} }""",
                _ => throw new ArgumentOutOfRangeException(nameof(reply)),
            };
            await Wire.JsonAsync(context, 200, $$"""
                {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":{{model}},
                 "choices":[{"index":0,"message":{{message}},"finish_reason":"{{finish}}"}],
                 "usage":{"prompt_tokens":25,"completion_tokens":12,"total_tokens":37} }
                """);
            return;
        }

        var delta = reply switch
        {
            Reply.ToolCall call => $$"""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_Vx8nTBEU0zq5bAlc6rnX3wAz","type":"function","function":{"name":{{Wire.Quote(call.Name)}},"arguments":{{Wire.Quote(call.ArgumentsJson)}} } }]}""",
            Reply.Text text => $$"""{"role":"assistant","content":{{Wire.Quote(text.Value)}} }""",
            _ => throw new ArgumentOutOfRangeException(nameof(reply)),
        };
        var chunk = $$"""{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":{{model}}""";
        context.Response.ContentType = "text/event-stream";
        await Wire.SendAsync(context, $$"""data: {{chunk}},"choices":[{"index":0,"delta":{{delta}},"finish_reason":null}]}""" + "\n\n");
        await Wire.SendAsync(context, $$"""data: {{chunk}},"choices":[{"index":0,"delta":{},"finish_reason":"{{finish}}"}]}""" + "\n\n");
        if (body.TryGetProperty("stream_options", out var options) && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True)
        {
            await Wire.SendAsync(context, $$"""data: {{chunk}},"choices":[],"usage":{"prompt_tokens":25,"completion_tokens":12,"total_tokens":37} }""" + "\n\n");
        }

        await Wire.SendAsync(context, "data: [DONE]\n\n");
    }

    public Task WriteErrorAsync(HttpContext context, int status, string message) =>
        Wire.JsonAsync(context, status, $$"""
            {"error":{"message":{{Wire.Quote(message)}},"type":"invalid_request_error","param":null,"code":{{(status == 401 ? "\"invalid_api_key\"" : "null")}} } }
            """);
}
