using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>Chat Completions request body ↔ IR.</summary>
internal static class OpenAIChatRequest
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        List<IrPart>? pendingResults = null;

        if (!root.TryProp("messages", out _))
        {
            throw TranslationException.Missing("messages");
        }

        foreach (var m in root.Arr("messages"))
        {
            m.ExpectObject("messages[]");
            string role = m.ReqStr("role");
            if (role != "tool" && pendingResults is not null)
            {
                messages.Add(new IrMessage(IrRole.Tool, [.. pendingResults]));
                pendingResults = null;
            }

            switch (role)
            {
                case "system":
                case "developer":
                    system.Add(TextOf(m));
                    break;
                case "assistant":
                    messages.Add(new IrMessage(IrRole.Assistant, DecodeAssistant(m)));
                    break;
                case "tool":
                case "function":
                    pendingResults ??= [];
                    pendingResults.Add(new IrToolResult(
                        m.Str("tool_call_id") ?? m.Str("name") ?? throw TranslationException.Missing("messages[].tool_call_id"),
                        m.Str("name"),
                        DecodeContent(m)));
                    break;
                default:
                    messages.Add(new IrMessage(IrRole.User, DecodeContent(m)));
                    break;
            }
        }

        if (pendingResults is not null)
        {
            messages.Add(new IrMessage(IrRole.Tool, [.. pendingResults]));
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"))
        {
            t.ExpectObject("tools[]");
            if (t.Str("type") is { } type && type != "function")
            {
                continue; // custom / built-in tools have no IR form
            }

            var f = t.Obj("function") ?? throw TranslationException.Missing("tools[].function");
            tools.Add(new IrTool(
                f.ReqStr("name"),
                f.Str("description"),
                f.TryProp("parameters", out var p) ? p.RawObject("parameters") : EmptySchema));
        }

        var stream = root.Bool("stream") ?? false;
        return new IrRequest
        {
            Model = root.Str("model"),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            ToolChoice = DecodeToolChoice(root),
            Stream = stream,
            StreamIncludeUsage = root.Obj("stream_options") is { } so && (so.Bool("include_usage") ?? false),
            ParallelToolCalls = root.Bool("parallel_tool_calls"),
            User = root.Str("user"),
            Params = new IrGenerationParams
            {
                MaxTokens = root.Int("max_completion_tokens") ?? root.Int("max_tokens"),
                Temperature = root.Double("temperature"),
                TopP = root.Double("top_p"),
                TopK = root.Int("top_k"),
                Stop = root.StrOrStrArray("stop"),
                Seed = root.Long("seed"),
                Reasoning = root.Str("reasoning_effort") is { } effort ? new IrReasoningConfig(effort, null) : null,
                ResponseFormat = DecodeResponseFormat(root),
            },
        };
    }

    internal const string EmptySchema = """{"type":"object","properties":{}}""";

    private static ImmutableArray<IrPart> DecodeAssistant(JsonElement m)
    {
        var parts = ImmutableArray.CreateBuilder<IrPart>();
        // DeepSeek / vLLM style reasoning echo; no signature exists in this dialect.
        var reasoning = m.Str("reasoning_content") ?? (m.TryProp("reasoning", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
        if (!string.IsNullOrEmpty(reasoning))
        {
            parts.Add(new IrReasoning(reasoning));
        }

        parts.AddRange(DecodeContent(m));
        if (m.Str("refusal") is { Length: > 0 } refusal)
        {
            parts.Add(new IrText(refusal));
        }

        foreach (var tc in m.Arr("tool_calls"))
        {
            tc.ExpectObject("tool_calls[]");
            var f = tc.Obj("function") ?? throw TranslationException.Missing("tool_calls[].function");
            parts.Add(new IrToolCall(tc.Str("id") ?? Ids.NewCallId(), f.ReqStr("name"), ArgumentsOf(f), ThoughtSignatureOf(tc)));
        }

        return parts.ToImmutable();
    }

    internal static string ArgumentsOf(JsonElement function)
    {
        if (!function.TryProp("arguments", out var a))
        {
            return "{}";
        }

        // Some clients send arguments as an object instead of the documented string.
        return a.ValueKind switch
        {
            JsonValueKind.String => a.GetString() is { Length: > 0 } s ? s : "{}",
            JsonValueKind.Object => a.GetRawText(),
            _ => throw TranslationException.Type("function.arguments", "a string"),
        };
    }

    private static string TextOf(JsonElement m) => IrPartText.Join(DecodeContent(m));

    internal static ImmutableArray<IrPart> DecodeContent(JsonElement m)
    {
        if (!m.TryProp("content", out var c))
        {
            return [];
        }

        if (c.ValueKind == JsonValueKind.String)
        {
            string s = c.GetString()!;
            return s.Length == 0 ? [] : [new IrText(s)];
        }

        if (c.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type("messages[].content", "a string or an array");
        }

        var parts = ImmutableArray.CreateBuilder<IrPart>();
        foreach (var p in c.EnumerateArray())
        {
            p.ExpectObject("content[]");
            switch (p.Str("type"))
            {
                case "text":
                case "input_text":
                case "output_text":
                    parts.Add(new IrText(p.Str("text") ?? string.Empty));
                    break;
                case "image_url":
                    var iu = p.Req("image_url");
                    string url = iu.ValueKind == JsonValueKind.String ? iu.GetString()! : iu.ReqStr("url");
                    parts.Add(IrImage.FromUrl(url));
                    break;
                case "refusal":
                    parts.Add(new IrText(p.Str("refusal") ?? string.Empty));
                    break;
                default:
                    break; // input_audio / file: no IR form (drop table)
            }
        }

        return parts.ToImmutable();
    }

    private static IrToolChoice? DecodeToolChoice(JsonElement root)
    {
        if (!root.TryProp("tool_choice", out var tc))
        {
            return null;
        }

        if (tc.ValueKind == JsonValueKind.String)
        {
            return tc.GetString() switch
            {
                "none" => IrToolChoice.None,
                "required" => IrToolChoice.Required,
                _ => IrToolChoice.Auto,
            };
        }

        tc.ExpectObject("tool_choice");
        string? name = tc.Obj("function")?.Str("name") ?? tc.Str("name");
        return name is null ? IrToolChoice.Auto : new IrToolChoice(IrToolChoiceKind.Specific, name);
    }

    private static IrResponseFormat? DecodeResponseFormat(JsonElement root)
    {
        if (root.Obj("response_format") is not { } rf)
        {
            return null;
        }

        switch (rf.Str("type"))
        {
            case "json_object":
                return new IrResponseFormat(IrResponseFormatKind.JsonObject);
            case "json_schema":
                var js = rf.Obj("json_schema") ?? throw TranslationException.Missing("response_format.json_schema");
                return new IrResponseFormat(
                    IrResponseFormatKind.JsonSchema,
                    js.Str("name"),
                    js.TryProp("schema", out var s) ? s.RawObject("json_schema.schema") : EmptySchema,
                    js.Bool("strict"));
            default:
                return new IrResponseFormat(IrResponseFormatKind.Text);
        }
    }

    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
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
                    EncodeAssistant(m, w);
                    break;
                case IrRole.Tool:
                    EncodeToolResults(m, w);
                    break;
                default:
                    if (m.Parts.Any(p => p is IrText or IrImage))
                    {
                        w.WriteStartObject();
                        w.WriteString("role"u8, "user"u8);
                        WriteContent(w, m.Parts);
                        w.WriteEndObject();
                    }

                    // Anthropic/Gemini allow tool results and text in one user turn; OpenAI needs separate messages.
                    EncodeToolResults(m, w);
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
                JsonWrite.RawOrString(w, t.ParametersJson, EmptySchema);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (r.ToolChoice is { } tc)
        {
            if (tc.Kind == IrToolChoiceKind.Specific)
            {
                w.WritePropertyName("tool_choice"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "function"u8);
                w.WritePropertyName("function"u8);
                w.WriteStartObject();
                w.WriteString("name"u8, tc.Name);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("tool_choice"u8, tc.Kind switch
                {
                    IrToolChoiceKind.None => "none",
                    IrToolChoiceKind.Required => "required",
                    _ => "auto",
                });
            }
        }

        if (r.ParallelToolCalls is { } ptc && !r.Tools.IsDefaultOrEmpty)
        {
            w.WriteBoolean("parallel_tool_calls"u8, ptc);
        }

        var p = r.Params;
        string? effort = ReasoningMap.Effort(p.Reasoning);
        if (p.MaxTokens is { } max)
        {
            // Reasoning models reject max_tokens; older OpenAI-compatible servers only know it.
            w.WriteNumber(effort is null ? "max_tokens" : "max_completion_tokens", max);
        }

        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "top_p", p.TopP);
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

        JsonWrite.NumberIf(w, "seed", p.Seed);
        JsonWrite.StringIf(w, "reasoning_effort", effort);
        if (p.ResponseFormat is { } rf)
        {
            w.WritePropertyName("response_format"u8);
            w.WriteStartObject();
            switch (rf.Kind)
            {
                case IrResponseFormatKind.JsonObject:
                    w.WriteString("type"u8, "json_object"u8);
                    break;
                case IrResponseFormatKind.JsonSchema:
                    w.WriteString("type"u8, "json_schema"u8);
                    w.WritePropertyName("json_schema"u8);
                    w.WriteStartObject();
                    w.WriteString("name"u8, rf.Name ?? "response");
                    w.WritePropertyName("schema"u8);
                    JsonWrite.RawOrString(w, rf.SchemaJson, EmptySchema);
                    if (rf.Strict is { } strict)
                    {
                        w.WriteBoolean("strict"u8, strict);
                    }

                    w.WriteEndObject();
                    break;
                default:
                    w.WriteString("type"u8, "text"u8);
                    break;
            }

            w.WriteEndObject();
        }

        JsonWrite.StringIf(w, "user", r.User);
        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
            // The gateway needs usage for accounting even when the client did not ask for it.
            w.WritePropertyName("stream_options"u8);
            w.WriteStartObject();
            w.WriteBoolean("include_usage"u8, true);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void EncodeAssistant(IrMessage m, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("role"u8, "assistant"u8);
        string text = IrPartText.Join(m.Parts);
        if (text.Length > 0)
        {
            w.WriteString("content"u8, text);
        }
        else
        {
            w.WriteNull("content"u8);
        }

        string? reasoning = null;
        bool hasCalls = false;
        foreach (var part in m.Parts)
        {
            if (part is IrReasoning { Text.Length: > 0 } r)
            {
                reasoning = reasoning is null ? r.Text : reasoning + r.Text;
            }

            hasCalls |= part is IrToolCall;
        }

        JsonWrite.StringIf(w, "reasoning_content", reasoning);
        if (hasCalls)
        {
            w.WritePropertyName("tool_calls"u8);
            w.WriteStartArray();
            foreach (var part in m.Parts)
            {
                if (part is IrToolCall c)
                {
                    WriteToolCall(w, c, null);
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>Gemini's OpenAI-compatible API returns a call's thought signature in
    /// <c>extra_content.google.thought_signature</c>; clients echo it back, which lets it survive the round trip.</summary>
    internal static string? ThoughtSignatureOf(JsonElement toolCall) =>
        toolCall.Obj("extra_content")?.Obj("google")?.Str("thought_signature");

    internal static void WriteThoughtSignature(Utf8JsonWriter w, string? signature)
    {
        if (signature is null)
        {
            return;
        }

        w.WritePropertyName("extra_content"u8);
        w.WriteStartObject();
        w.WritePropertyName("google"u8);
        w.WriteStartObject();
        w.WriteString("thought_signature"u8, signature);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static void WriteToolCall(Utf8JsonWriter w, IrToolCall c, int? index)
    {
        w.WriteStartObject();
        if (index is { } i)
        {
            w.WriteNumber("index"u8, i);
        }

        w.WriteString("id"u8, c.Id);
        w.WriteString("type"u8, "function"u8);
        w.WritePropertyName("function"u8);
        w.WriteStartObject();
        w.WriteString("name"u8, c.Name);
        w.WriteString("arguments"u8, c.ArgumentsJson);
        w.WriteEndObject();
        WriteThoughtSignature(w, c.Signature);
        w.WriteEndObject();
    }

    private static void EncodeToolResults(IrMessage m, Utf8JsonWriter w)
    {
        foreach (var part in m.Parts)
        {
            if (part is IrToolResult tr)
            {
                w.WriteStartObject();
                w.WriteString("role"u8, "tool"u8);
                w.WriteString("tool_call_id"u8, tr.ToolCallId);
                // Images inside tool results cannot be sent in a tool message (drop table).
                // The error flag has no field here either (drop table); the text says what went wrong.
                w.WriteString("content"u8, tr.JoinedText());
                w.WriteEndObject();
            }
        }
    }

    private static void WriteContent(Utf8JsonWriter w, ImmutableArray<IrPart> parts)
    {
        bool onlyText = true;
        int count = 0;
        foreach (var p in parts)
        {
            if (p is IrImage)
            {
                onlyText = false;
            }

            if (p is IrText or IrImage)
            {
                count++;
            }
        }

        if (onlyText && count <= 1)
        {
            w.WriteString("content"u8, IrPartText.Join(parts));
            return;
        }

        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        foreach (var p in parts)
        {
            switch (p)
            {
                case IrText t:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "text"u8);
                    w.WriteString("text"u8, t.Text);
                    w.WriteEndObject();
                    break;
                case IrImage img:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "image_url"u8);
                    w.WritePropertyName("image_url"u8);
                    w.WriteStartObject();
                    w.WriteString("url"u8, img.AsUrl());
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
            }
        }

        w.WriteEndArray();
    }
}
