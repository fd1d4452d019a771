using System.Text;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.EndToEnd;

/// <summary>
/// Real-shaped upstream answers for the matrix: a tool call on the first turn, text once the tool result arrives.
/// Streams are sent event by event, the way each provider sends them.
/// </summary>
internal static class UpstreamScripts
{
    public const string FinalText = "It is sunny in Paris.";

    public static Task AnswerAsync(string upstreamType, HttpContext context, RecordedRequest request)
    {
        var secondTurn = request.Body.Contains("18C and sunny", StringComparison.Ordinal);
        var stream = upstreamType == "gemini-api"
            ? request.PathAndQuery.Contains(":streamGenerateContent", StringComparison.Ordinal)
            : request.Body.Replace(" ", "", StringComparison.Ordinal).Contains("\"stream\":true", StringComparison.Ordinal);
        return (upstreamType, stream) switch
        {
            ("openai", false) => Json(context, secondTurn ? OpenAIText : OpenAIToolCall),
            ("openai", true) => Sse(context, secondTurn ? OpenAITextStream : OpenAIToolCallStream, named: false),
            ("anthropic", false) => Json(context, secondTurn ? AnthropicText : AnthropicToolCall),
            ("anthropic", true) => Sse(context, secondTurn ? AnthropicTextStream : AnthropicToolCallStream, named: true),
            ("gemini-api", false) => Json(context, secondTurn ? GeminiText : GeminiToolCall),
            _ => Sse(context, secondTurn ? GeminiTextStream : [GeminiToolCall], named: false),
        };
    }

    private static Task Json(HttpContext context, string body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    private static async Task Sse(HttpContext context, string[] events, bool named)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var data in events)
        {
            var prefix = named ? $"event: {TypeOf(data)}\n" : "";
            await context.Response.WriteAsync($"{prefix}data: {data}\n\n");
            await context.Response.Body.FlushAsync();
        }
    }

    private static string TypeOf(string anthropicEvent)
    {
        var start = anthropicEvent.IndexOf("\"type\":\"", StringComparison.Ordinal) + 8;
        return anthropicEvent[start..anthropicEvent.IndexOf('"', start)];
    }

    private const string OpenAIToolCall = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"up-model","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""";

    private const string OpenAIText = """{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"up-model","choices":[{"index":0,"message":{"role":"assistant","content":"It is sunny in Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":6,"total_tokens":26}}""";

    private static readonly string[] OpenAIToolCallStream =
    [
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""",
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}""",
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}""",
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""",
        "[DONE]",
    ];

    private static readonly string[] OpenAITextStream =
    [
        """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
        """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"content":"It is sunny"},"finish_reason":null}]}""",
        """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"content":" in Paris."},"finish_reason":null}]}""",
        """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
        """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":6,"total_tokens":26}}""",
        "[DONE]",
    ];

    private const string AnthropicToolCall = """{"id":"msg_1","type":"message","role":"assistant","model":"up-model","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":5}}""";

    private const string AnthropicText = """{"id":"msg_2","type":"message","role":"assistant","model":"up-model","content":[{"type":"text","text":"It is sunny in Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":6}}""";

    private static readonly string[] AnthropicToolCallStream =
    [
        """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"up-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}""",
        """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}""",
        """{"type":"ping"}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}""",
        """{"type":"content_block_stop","index":0}""",
        """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":5}}""",
        """{"type":"message_stop"}""",
    ];

    private static readonly string[] AnthropicTextStream =
    [
        """{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"up-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":1}}}""",
        """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"It is sunny"}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" in Paris."}}""",
        """{"type":"content_block_stop","index":0}""",
        """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}""",
        """{"type":"message_stop"}""",
    ];

    private const string GeminiToolCall = """{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"up-model","responseId":"r1"}""";

    private const string GeminiText = """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"up-model","responseId":"r2"}""";

    private static readonly string[] GeminiTextStream =
    [
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny"}]},"index":0}],"usageMetadata":{"promptTokenCount":20,"totalTokenCount":20},"modelVersion":"up-model","responseId":"r2"}""",
        """{"candidates":[{"content":{"role":"model","parts":[{"text":" in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"up-model","responseId":"r2"}""",
    ];
}
