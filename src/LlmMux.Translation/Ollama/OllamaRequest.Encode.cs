using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>IR → request body (the decoding half is in OllamaRequest.cs).</summary>
internal static partial class OllamaRequest
{
    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        OpenAIChat.OpenAIChatRequest.BeginMessages(r, w);

        foreach (var m in r.Messages)
        {
            switch (m.Role)
            {
                case IrRole.Assistant:
                    w.WriteStartObject();
                    w.WriteString("role"u8, "assistant"u8);
                    w.WriteString("content"u8, IrPartText.Join(m.Parts));
                    string thinking = string.Concat(m.Parts.OfType<IrReasoning>().Select(x => x.Text));
                    if (thinking.Length > 0)
                    {
                        w.WriteString("thinking"u8, thinking);
                    }

                    if (m.Parts.Any(p => p is IrToolCall))
                    {
                        w.WritePropertyName("tool_calls"u8);
                        w.WriteStartArray();
                        foreach (var c in m.Parts.OfType<IrToolCall>())
                        {
                            names[c.Id] = c.Name;
                            WriteToolCall(w, c.Name, c.ArgumentsJson);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                    break;
                default:
                    foreach (var tr in m.Parts.OfType<IrToolResult>())
                    {
                        w.WriteStartObject();
                        w.WriteString("role"u8, "tool"u8);
                        w.WriteString("content"u8, tr.JoinedText());
                        w.WriteString("tool_name"u8, tr.Name ?? (names.TryGetValue(tr.ToolCallId, out var n) ? n : tr.ToolCallId));
                        w.WriteEndObject();
                    }

                    if (m.Parts.Any(p => p is IrText or IrImage))
                    {
                        w.WriteStartObject();
                        w.WriteString("role"u8, "user"u8);
                        w.WriteString("content"u8, IrPartText.Join(m.Parts));
                        // Ollama only takes inline base64 images; URLs are dropped (drop table).
                        var images = m.Parts.OfType<IrImage>().Where(i => i.Base64Data is not null && i.IsImage).ToList();
                        if (images.Count > 0)
                        {
                            w.WritePropertyName("images"u8);
                            w.WriteStartArray();
                            foreach (var i in images)
                            {
                                w.WriteStringValue(i.Base64Data);
                            }

                            w.WriteEndArray();
                        }

                        w.WriteEndObject();
                    }

                    break;
            }
        }

        w.WriteEndArray();
        OpenAIChat.OpenAIChatRequest.WriteFunctionTools(w, r.Tools, nested: true);

        var p = r.Params;
        if (p.ResponseFormat is { Kind: IrResponseFormatKind.JsonObject })
        {
            w.WriteString("format"u8, "json"u8);
        }
        else if (p.ResponseFormat is { Kind: IrResponseFormatKind.JsonSchema, SchemaJson: { } schema })
        {
            w.WritePropertyName("format"u8);
            JsonWrite.RawOrString(w, schema);
        }

        if (ReasoningMap.Budget(p.Reasoning) is { } budget)
        {
            w.WriteBoolean("think"u8, budget != 0);
        }

        w.WritePropertyName("options"u8);
        w.WriteStartObject();
        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "top_p", p.TopP);
        JsonWrite.NumberIf(w, "top_k", p.TopK);
        JsonWrite.NumberIf(w, "num_predict", p.MaxTokens);
        JsonWrite.NumberIf(w, "seed", p.Seed);
        JsonWrite.StringArrayIf(w, "stop", p.Stop);

        w.WriteEndObject();
        // Always explicit: Ollama's default is to stream.
        w.WriteBoolean("stream"u8, r.Stream);
        w.WriteEndObject();
    }

    internal static void WriteToolCall(Utf8JsonWriter w, string name, string argumentsJson)
    {
        w.WriteStartObject();
        w.WritePropertyName("function"u8);
        w.WriteStartObject();
        w.WriteString("name"u8, name);
        w.WritePropertyName("arguments"u8);
        JsonWrite.RawOrString(w, argumentsJson);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
