using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>Responses API request body (<c>instructions</c> + <c>input</c> items) ↔ IR.</summary>
internal static class ResponsesRequest
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        if (root.Str("instructions") is { Length: > 0 } instructions)
        {
            system.Add(instructions);
        }

        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        var current = new List<IrPart>();
        IrRole? currentRole = null;

        void Push(IrRole role, IEnumerable<IrPart> parts)
        {
            // Consecutive items of one role (reasoning, message, function_call …) form one IR message.
            if (currentRole != role && current.Count > 0)
            {
                messages.Add(new IrMessage(currentRole!.Value, [.. current]));
                current.Clear();
            }

            currentRole = role;
            current.AddRange(parts);
        }

        if (!root.TryProp("input", out var input))
        {
            throw TranslationException.Missing("input");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            Push(IrRole.User, [new IrText(input.GetString()!)]);
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in input.EnumerateArray())
            {
                item.ExpectObject("input[]");
                switch (item.Str("type") ?? "message")
                {
                    case "message":
                        string role = item.ReqStr("role");
                        var parts = DecodeContent(item.Req("content"), "input[].content");
                        if (role is "system" or "developer")
                        {
                            system.Add(IrPartText.Join(parts));
                        }
                        else
                        {
                            Push(role == "assistant" ? IrRole.Assistant : IrRole.User, parts);
                        }

                        break;
                    case "function_call":
                        Push(IrRole.Assistant, [new IrToolCall(item.ReqStr("call_id"), item.ReqStr("name"), item.Str("arguments") is { Length: > 0 } a ? a : "{}")]);
                        break;
                    case "function_call_output":
                        var output = item.Req("output");
                        ImmutableArray<IrPart> content = output.ValueKind == JsonValueKind.String
                            ? [new IrText(output.GetString()!)]
                            : DecodeContent(output, "function_call_output.output");
                        Push(IrRole.Tool, [new IrToolResult(item.ReqStr("call_id"), null, content)]);
                        break;
                    case "reasoning":
                        var summary = string.Concat(item.Arr("summary").Select(s => s.Str("text") ?? string.Empty));
                        Push(IrRole.Assistant, [new IrReasoning(summary, item.Str("encrypted_content"))]);
                        break;
                    default:
                        break; // item_reference, built-in tool calls: drop table
                }
            }
        }
        else
        {
            throw TranslationException.Type("input", "a string or an array of items");
        }

        if (current.Count > 0)
        {
            messages.Add(new IrMessage(currentRole!.Value, [.. current]));
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"))
        {
            t.ExpectObject("tools[]");
            if (t.Str("type") != "function")
            {
                continue; // web_search, file_search, …: drop table
            }

            tools.Add(new IrTool(t.ReqStr("name"), t.Str("description"),
                t.TryProp("parameters", out var p) ? p.RawObject("parameters") : OpenAIChat.OpenAIChatRequest.EmptySchema));
        }

        IrToolChoice? choice = null;
        if (root.TryProp("tool_choice", out var tc))
        {
            choice = tc.ValueKind == JsonValueKind.String
                ? tc.GetString() switch
                {
                    "none" => IrToolChoice.None,
                    "required" => IrToolChoice.Required,
                    _ => IrToolChoice.Auto,
                }
                : tc.Str("name") is { } name ? new IrToolChoice(IrToolChoiceKind.Specific, name) : IrToolChoice.Auto;
        }

        IrResponseFormat? format = null;
        if (root.Obj("text")?.Obj("format") is { } f)
        {
            format = f.Str("type") switch
            {
                "json_schema" => new IrResponseFormat(IrResponseFormatKind.JsonSchema, f.Str("name"),
                    f.TryProp("schema", out var s) ? s.RawObject("text.format.schema") : OpenAIChat.OpenAIChatRequest.EmptySchema, f.Bool("strict")),
                "json_object" => new IrResponseFormat(IrResponseFormatKind.JsonObject),
                _ => null,
            };
        }

        var reasoning = root.Obj("reasoning") is { } r && r.Str("effort") is { } effort ? new IrReasoningConfig(effort, null, r.Str("summary") is not null) : null;
        return new IrRequest
        {
            Model = root.Str("model"),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            ToolChoice = choice,
            ParallelToolCalls = root.Bool("parallel_tool_calls"),
            Stream = root.Bool("stream") ?? false,
            StreamIncludeUsage = true,
            User = root.Str("user"),
            Params = new IrGenerationParams
            {
                MaxTokens = root.Int("max_output_tokens"),
                Temperature = root.Double("temperature"),
                TopP = root.Double("top_p"),
                Reasoning = reasoning,
                ResponseFormat = format,
            },
        };
    }

    private static ImmutableArray<IrPart> DecodeContent(JsonElement content, string path)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return [new IrText(content.GetString()!)];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type(path, "a string or an array");
        }

        var parts = ImmutableArray.CreateBuilder<IrPart>();
        foreach (var p in content.EnumerateArray())
        {
            p.ExpectObject(path + "[]");
            switch (p.Str("type"))
            {
                case "input_text":
                case "output_text":
                case "text":
                    parts.Add(new IrText(p.Str("text") ?? string.Empty));
                    break;
                case "refusal":
                    parts.Add(new IrText(p.Str("refusal") ?? string.Empty));
                    break;
                case "input_image":
                    if (p.Str("image_url") is { } url)
                    {
                        parts.Add(IrImage.FromUrl(url));
                    }
                    else if (p.Str("file_id") is { } fileId)
                    {
                        parts.Add(new IrImage(fileId, null, null));
                    }

                    break;
                default:
                    break; // input_file, input_audio: drop table
            }
        }

        return parts.ToImmutable();
    }

    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", r.Model);
        if (!r.System.IsDefaultOrEmpty)
        {
            w.WriteString("instructions"u8, string.Join("\n\n", r.System));
        }

        w.WritePropertyName("input"u8);
        w.WriteStartArray();
        foreach (var m in r.Messages)
        {
            switch (m.Role)
            {
                case IrRole.Assistant:
                    WriteAssistant(w, m);
                    break;
                default:
                    WriteUserOrTool(w, m);
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
                w.WriteString("name"u8, t.Name);
                JsonWrite.StringIf(w, "description", t.Description);
                w.WritePropertyName("parameters"u8);
                JsonWrite.RawOrString(w, t.ParametersJson, OpenAIChat.OpenAIChatRequest.EmptySchema);
                // strict would force every property to be required; the source dialects do not promise that.
                w.WriteBoolean("strict"u8, false);
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
                w.WriteString("name"u8, tc.Name);
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

        if (r.ParallelToolCalls is { } ptc)
        {
            w.WriteBoolean("parallel_tool_calls"u8, ptc);
        }

        var p = r.Params;
        JsonWrite.NumberIf(w, "max_output_tokens", p.MaxTokens);
        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "top_p", p.TopP);
        if (ReasoningMap.Effort(p.Reasoning) is { } effort)
        {
            w.WritePropertyName("reasoning"u8);
            w.WriteStartObject();
            w.WriteString("effort"u8, effort);
            if (p.Reasoning!.IncludeThoughts is not false && effort != "none")
            {
                w.WriteString("summary"u8, "auto"u8);
            }

            w.WriteEndObject();
            // Stateless replay of reasoning needs the encrypted content back.
            w.WritePropertyName("include"u8);
            w.WriteStartArray();
            w.WriteStringValue("reasoning.encrypted_content"u8);
            w.WriteEndArray();
        }

        if (p.ResponseFormat is { Kind: not IrResponseFormatKind.Text } rf)
        {
            w.WritePropertyName("text"u8);
            w.WriteStartObject();
            w.WritePropertyName("format"u8);
            w.WriteStartObject();
            if (rf.Kind == IrResponseFormatKind.JsonObject)
            {
                w.WriteString("type"u8, "json_object"u8);
            }
            else
            {
                w.WriteString("type"u8, "json_schema"u8);
                w.WriteString("name"u8, rf.Name ?? "response");
                w.WritePropertyName("schema"u8);
                JsonWrite.RawOrString(w, rf.SchemaJson);
                if (rf.Strict is { } strict)
                {
                    w.WriteBoolean("strict"u8, strict);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        JsonWrite.StringIf(w, "user", r.User);
        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
        }

        w.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter w, IrMessage m)
    {
        foreach (var part in m.Parts)
        {
            switch (part)
            {
                case IrReasoning { Signature: { Length: > 0 } sig } rs:
                    // Only reasoning with encrypted content can be replayed; summaries alone are not accepted back.
                    w.WriteStartObject();
                    w.WriteString("type"u8, "reasoning"u8);
                    w.WritePropertyName("summary"u8);
                    w.WriteStartArray();
                    if (rs.Text.Length > 0)
                    {
                        w.WriteStartObject();
                        w.WriteString("type"u8, "summary_text"u8);
                        w.WriteString("text"u8, rs.Text);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("encrypted_content"u8, sig);
                    w.WriteEndObject();
                    break;
                case IrText { Text.Length: > 0 } t:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "message"u8);
                    w.WriteString("role"u8, "assistant"u8);
                    w.WritePropertyName("content"u8);
                    w.WriteStartArray();
                    w.WriteStartObject();
                    w.WriteString("type"u8, "output_text"u8);
                    w.WriteString("text"u8, t.Text);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                    break;
                case IrToolCall c:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "function_call"u8);
                    w.WriteString("call_id"u8, c.Id);
                    w.WriteString("name"u8, c.Name);
                    w.WriteString("arguments"u8, c.ArgumentsJson);
                    w.WriteEndObject();
                    break;
                default:
                    break;
            }
        }
    }

    private static void WriteUserOrTool(Utf8JsonWriter w, IrMessage m)
    {
        bool hasContent = false;
        foreach (var part in m.Parts)
        {
            if (part is IrToolResult tr)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "function_call_output"u8);
                w.WriteString("call_id"u8, tr.ToolCallId);
                w.WriteString("output"u8, tr.JoinedText());
                w.WriteEndObject();
            }
            else if (part is IrText or IrImage)
            {
                hasContent = true;
            }
        }

        if (!hasContent)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "user"u8);
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        foreach (var part in m.Parts)
        {
            if (part is IrText t)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "input_text"u8);
                w.WriteString("text"u8, t.Text);
                w.WriteEndObject();
            }
            else if (part is IrImage img)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "input_image"u8);
                if (img.Url is { } url && url.StartsWith("file-", StringComparison.Ordinal))
                {
                    w.WriteString("file_id"u8, url);
                }
                else
                {
                    w.WriteString("image_url"u8, img.AsUrl());
                }

                w.WriteString("detail"u8, "auto"u8);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
