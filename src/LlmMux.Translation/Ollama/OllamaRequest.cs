using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama /api/chat (and /api/generate) request ↔ IR.</summary>
internal static class OllamaRequest
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        if (root.TryProp("messages", out _))
        {
            DecodeMessages(root, system, messages);
        }
        else if (root.Str("prompt") is { } prompt)
        {
            // /api/generate: one user turn.
            if (root.Str("system") is { Length: > 0 } sys)
            {
                system.Add(sys);
            }

            var parts = ImmutableArray.CreateBuilder<IrPart>();
            parts.Add(new IrText(prompt));
            AddImages(root, parts);
            messages.Add(new IrMessage(IrRole.User, parts.ToImmutable()));
        }
        else
        {
            throw TranslationException.Missing("messages");
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"))
        {
            t.ExpectObject("tools[]");
            var f = t.Obj("function") ?? throw TranslationException.Missing("tools[].function");
            tools.Add(new IrTool(f.ReqStr("name"), f.Str("description"),
                f.TryProp("parameters", out var p) ? p.RawObject("parameters") : OpenAIChat.OpenAIChatRequest.EmptySchema));
        }

        var options = root.Obj("options");
        IrReasoningConfig? reasoning = null;
        if (root.TryProp("think", out var think))
        {
            reasoning = think.ValueKind switch
            {
                JsonValueKind.True => new IrReasoningConfig("medium", null, true),
                JsonValueKind.False => new IrReasoningConfig("none", 0, false),
                JsonValueKind.String => new IrReasoningConfig(think.GetString(), null, true),
                _ => throw TranslationException.Type("think", "a boolean or an effort string"),
            };
        }

        IrResponseFormat? format = null;
        if (root.TryProp("format", out var fmt))
        {
            format = fmt.ValueKind switch
            {
                JsonValueKind.String when fmt.GetString() == "json" => new IrResponseFormat(IrResponseFormatKind.JsonObject),
                JsonValueKind.Object => new IrResponseFormat(IrResponseFormatKind.JsonSchema, "response", fmt.GetRawText()),
                _ => null,
            };
        }

        return new IrRequest
        {
            Model = root.Str("model"),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            // Real Ollama streams unless told not to (llm-mux defaulted to false: §11.13).
            Stream = root.Bool("stream") ?? true,
            StreamIncludeUsage = true,
            Params = new IrGenerationParams
            {
                MaxTokens = options?.Int("num_predict") is { } np && np > 0 ? np : null,
                Temperature = options?.Double("temperature"),
                TopP = options?.Double("top_p"),
                TopK = options?.Int("top_k"),
                Stop = options?.StrOrStrArray("stop") ?? [],
                Seed = options?.Long("seed"),
                Reasoning = reasoning,
                ResponseFormat = format,
            },
        };
    }

    private static void DecodeMessages(JsonElement root, ImmutableArray<string>.Builder system, ImmutableArray<IrMessage>.Builder messages)
    {
        // Ollama has no call ids: results name their tool, so pair them with calls by name in order.
        var unanswered = new Dictionary<string, Queue<string>>(StringComparer.Ordinal);
        int generated = 0;
        List<IrPart>? results = null;
        foreach (var m in root.Arr("messages"))
        {
            m.ExpectObject("messages[]");
            string role = m.ReqStr("role");
            if (role != "tool" && results is not null)
            {
                messages.Add(new IrMessage(IrRole.Tool, [.. results]));
                results = null;
            }

            string content = m.Str("content") ?? string.Empty;
            switch (role)
            {
                case "system":
                    system.Add(content);
                    break;
                case "assistant":
                    var parts = ImmutableArray.CreateBuilder<IrPart>();
                    if (m.Str("thinking") is { Length: > 0 } thinking)
                    {
                        parts.Add(new IrReasoning(thinking));
                    }

                    if (content.Length > 0)
                    {
                        parts.Add(new IrText(content));
                    }

                    foreach (var tc in m.Arr("tool_calls"))
                    {
                        tc.ExpectObject("tool_calls[]");
                        var f = tc.Obj("function") ?? throw TranslationException.Missing("tool_calls[].function");
                        string name = f.ReqStr("name");
                        string id = tc.Str("id") ?? $"call_{name}_{generated++}";
                        if (!unanswered.TryGetValue(name, out var q))
                        {
                            unanswered[name] = q = new Queue<string>();
                        }

                        q.Enqueue(id);
                        parts.Add(new IrToolCall(id, name, OpenAIChat.OpenAIChatRequest.ArgumentsOf(f)));
                    }

                    messages.Add(new IrMessage(IrRole.Assistant, parts.ToImmutable()));
                    break;
                case "tool":
                    string? toolName = m.Str("tool_name") ?? m.Str("name");
                    string? callId = m.Str("tool_call_id");
                    if (callId is null && toolName is not null && unanswered.TryGetValue(toolName, out var queue) && queue.Count > 0)
                    {
                        callId = queue.Dequeue();
                    }

                    results ??= [];
                    results.Add(new IrToolResult(callId ?? $"call_{toolName}_{generated++}", toolName, [new IrText(content)]));
                    break;
                default:
                    var user = ImmutableArray.CreateBuilder<IrPart>();
                    if (content.Length > 0)
                    {
                        user.Add(new IrText(content));
                    }

                    AddImages(m, user);
                    messages.Add(new IrMessage(IrRole.User, user.ToImmutable()));
                    break;
            }
        }

        if (results is not null)
        {
            messages.Add(new IrMessage(IrRole.Tool, [.. results]));
        }
    }

    private static void AddImages(JsonElement owner, ImmutableArray<IrPart>.Builder parts)
    {
        foreach (var img in owner.Arr("images"))
        {
            if (img.ValueKind != JsonValueKind.String)
            {
                throw TranslationException.Type("images[]", "a base64 string");
            }

            parts.Add(new IrImage(null, img.GetString()!, SniffMediaType(img.GetString()!)));
        }
    }

    /// <summary>Ollama sends bare base64; the media type is read from the magic bytes' base64 prefix.</summary>
    private static string SniffMediaType(string b64) => b64 switch
    {
        _ when b64.StartsWith("iVBOR", StringComparison.Ordinal) => "image/png",
        _ when b64.StartsWith("R0lGOD", StringComparison.Ordinal) => "image/gif",
        _ when b64.StartsWith("UklGR", StringComparison.Ordinal) => "image/webp",
        _ => "image/jpeg",
    };

    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", r.Model);
        w.WritePropertyName("messages"u8);
        w.WriteStartArray();
        foreach (var s in r.System)
        {
            w.WriteStartObject();
            w.WriteString("role"u8, "system"u8);
            w.WriteString("content"u8, s);
            w.WriteEndObject();
        }

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
                        var images = m.Parts.OfType<IrImage>().Where(i => i.Base64Data is not null).ToList();
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
        if (!r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("tools"u8);
            w.WriteStartArray();
            foreach (var t in r.Tools)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "function"u8);
                w.WritePropertyName("function"u8);
                w.WriteStartObject();
                w.WriteString("name"u8, t.Name);
                JsonWrite.StringIf(w, "description", t.Description);
                w.WritePropertyName("parameters"u8);
                JsonWrite.RawOrString(w, t.ParametersJson, OpenAIChat.OpenAIChatRequest.EmptySchema);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

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
        if (!p.Stop.IsDefaultOrEmpty)
        {
            w.WritePropertyName("stop"u8);
            w.WriteStartArray();
            foreach (var s in p.Stop)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
        }

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
