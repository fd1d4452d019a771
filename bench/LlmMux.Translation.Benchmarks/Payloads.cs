using System.Text;
using System.Text.Json;

namespace LlmMux.Translation.Benchmarks;

/// <summary>Synthetic traffic shaped like the fixtures: a long tool-using conversation and long streams.</summary>
internal static class Payloads
{
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    /// <summary>40 messages (user text+image, assistant tool calls, tool results, assistant text) and 10 tools.</summary>
    public static byte[] OpenAIRequest()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model", "gpt-4o");
            w.WritePropertyName("messages");
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", "You are a coding assistant. Follow the repository conventions.");
            w.WriteEndObject();
            for (int turn = 0; turn < 10; turn++)
            {
                w.WriteStartObject();
                w.WriteString("role", "user");
                w.WritePropertyName("content");
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", $"Step {turn}: please look at this screenshot and fix the failing test in src/module{turn}.cs.");
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteString("type", "image_url");
                w.WritePropertyName("image_url");
                w.WriteStartObject();
                w.WriteString("url", "data:image/png;base64," + Png);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();

                w.WriteStartObject();
                w.WriteString("role", "assistant");
                w.WriteNull("content");
                w.WritePropertyName("tool_calls");
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("id", $"call_{turn:D4}");
                w.WriteString("type", "function");
                w.WritePropertyName("function");
                w.WriteStartObject();
                w.WriteString("name", $"tool_{turn % 10}");
                w.WriteString("arguments", $"{{\"path\":\"src/module{turn}.cs\",\"line\":{turn * 10}}}");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();

                w.WriteStartObject();
                w.WriteString("role", "tool");
                w.WriteString("tool_call_id", $"call_{turn:D4}");
                w.WriteString("content", "public sealed class Module { /* 40 lines of code elided for the benchmark */ }");
                w.WriteEndObject();

                w.WriteStartObject();
                w.WriteString("role", "assistant");
                w.WriteString("content", "I found the problem: the comparison used the current culture. I changed it to ordinal.");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("tools");
            w.WriteStartArray();
            for (int t = 0; t < 10; t++)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WritePropertyName("function");
                w.WriteStartObject();
                w.WriteString("name", $"tool_{t}");
                w.WriteString("description", "Reads or edits a file in the workspace and returns the result.");
                w.WritePropertyName("parameters");
                w.WriteRawValue("""{"type":"object","properties":{"path":{"type":"string","description":"File path"},"line":{"type":"integer","minimum":0},"content":{"type":"string"}},"required":["path"],"additionalProperties":false}""");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("max_tokens", 4096);
            w.WriteBoolean("stream", true);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    /// <summary>An Anthropic stream of <paramref name="deltas"/> text_delta events (plus framing events).</summary>
    public static byte[] AnthropicStream(int deltas)
    {
        var sb = new StringBuilder();
        sb.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1200,\"output_tokens\":1}}}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (int i = 0; i < deltas; i++)
        {
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token ").Append(i % 100).Append(" of the answer \"}}\n\n");
        }

        sb.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        sb.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":").Append(deltas).Append("}}\n\n");
        sb.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>An OpenAI chunk stream of <paramref name="deltas"/> content deltas.</summary>
    public static byte[] OpenAIStream(int deltas)
    {
        var sb = new StringBuilder();
        const string Head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":";
        sb.Append(Head).Append("{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < deltas; i++)
        {
            sb.Append(Head).Append("{\"content\":\"token ").Append(i % 100).Append(" of the answer \"},\"finish_reason\":null}]}\n\n");
        }

        sb.Append(Head).Append("{},\"finish_reason\":\"stop\"}]}\n\n");
        sb.Append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":").Append(deltas).Append(",\"total_tokens\":2200}}\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
