using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama /api/chat (and /api/generate) request → IR; the encoding half is in OllamaRequest.Encode.cs.</summary>
internal static partial class OllamaRequest
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        if (root.TryProp("messages"u8, out _))
        {
            DecodeMessages(root, system, messages);
        }
        else if (root.Str("prompt"u8) is { } prompt)
        {
            // /api/generate: one user turn.
            if (root.Str("system"u8) is { Length: > 0 } sys)
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
        foreach (var t in root.Arr("tools"u8))
        {
            t.ExpectObject("tools[]");
            var f = t.Obj("function"u8) ?? throw TranslationException.Missing("tools[].function");
            tools.Add(new IrTool(f.ReqStr("name"u8), f.Str("description"u8),
                f.TryProp("parameters"u8, out var p) ? p.RawObject("parameters") : OpenAIChat.OpenAIChatRequest.EmptySchema));
        }

        var options = root.Obj("options"u8);
        IrReasoningConfig? reasoning = null;
        if (root.TryProp("think"u8, out var think))
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
        if (root.TryProp("format"u8, out var fmt))
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
            Model = root.Str("model"u8),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            // Real Ollama streams unless told not to (llm-mux defaulted to false: §11.13).
            Stream = root.Bool("stream"u8) ?? true,
            StreamIncludeUsage = true,
            Params = new IrGenerationParams
            {
                MaxTokens = options?.Int("num_predict"u8) is { } np && np > 0 ? np : null,
                Temperature = options?.Double("temperature"u8),
                TopP = options?.Double("top_p"u8),
                TopK = options?.Int("top_k"u8),
                Stop = options?.StrOrStrArray("stop"u8) ?? [],
                Seed = options?.Long("seed"u8),
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
        foreach (var m in root.Arr("messages"u8))
        {
            m.ExpectObject("messages[]");
            string role = m.ReqStr("role"u8);
            if (role != "tool" && results is not null)
            {
                messages.Add(new IrMessage(IrRole.Tool, [.. results]));
                results = null;
            }

            string content = m.Str("content"u8) ?? string.Empty;
            switch (role)
            {
                case "system":
                    system.Add(content);
                    break;
                case "assistant":
                    var parts = ImmutableArray.CreateBuilder<IrPart>();
                    if (m.Str("thinking"u8) is { Length: > 0 } thinking)
                    {
                        parts.Add(new IrReasoning(thinking));
                    }

                    if (content.Length > 0)
                    {
                        parts.Add(new IrText(content));
                    }

                    foreach (var tc in m.Arr("tool_calls"u8))
                    {
                        tc.ExpectObject("tool_calls[]");
                        var f = tc.Obj("function"u8) ?? throw TranslationException.Missing("tool_calls[].function");
                        string name = f.ReqStr("name"u8);
                        string id = tc.Str("id"u8) ?? $"call_{name}_{generated++}";
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
                    string? toolName = m.Str("tool_name"u8) ?? m.Str("name"u8);
                    string? callId = m.Str("tool_call_id"u8);
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
        foreach (var img in owner.Arr("images"u8))
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
}
