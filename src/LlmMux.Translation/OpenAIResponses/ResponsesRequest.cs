using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>Responses API request body (<c>instructions</c> + <c>input</c> items) → IR; the encoding half is in ResponsesRequest.Encode.cs.</summary>
internal static partial class ResponsesRequest
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        if (root.Str("instructions"u8) is { Length: > 0 } instructions)
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

        if (!root.TryProp("input"u8, out var input))
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
                switch (item.Str("type"u8) ?? "message")
                {
                    case "message":
                        string role = item.ReqStr("role"u8);
                        var parts = DecodeContent(item.Req("content"u8), "input[].content");
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
                        Push(IrRole.Assistant, [new IrToolCall(item.ReqStr("call_id"u8), item.ReqStr("name"u8), item.Str("arguments"u8) is { Length: > 0 } a ? a : "{}")]);
                        break;
                    case "function_call_output":
                        var output = item.Req("output"u8);
                        ImmutableArray<IrPart> content = output.ValueKind == JsonValueKind.String
                            ? [new IrText(output.GetString()!)]
                            : DecodeContent(output, "function_call_output.output");
                        Push(IrRole.Tool, [new IrToolResult(item.ReqStr("call_id"u8), null, content)]);
                        break;
                    case "reasoning":
                        var summary = string.Concat(item.Arr("summary"u8).Select(s => s.Str("text"u8) ?? string.Empty));
                        Push(IrRole.Assistant, [new IrReasoning(summary, item.Str("encrypted_content"u8))]);
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
        foreach (var t in root.Arr("tools"u8))
        {
            t.ExpectObject("tools[]");
            if (t.Str("type"u8) != "function")
            {
                continue; // web_search, file_search, …: drop table
            }

            tools.Add(new IrTool(t.ReqStr("name"u8), t.Str("description"u8),
                t.TryProp("parameters"u8, out var p) ? p.RawObject("parameters") : OpenAIChat.OpenAIChatRequest.EmptySchema));
        }

        IrToolChoice? choice = null;
        if (root.TryProp("tool_choice"u8, out var tc))
        {
            choice = tc.ValueKind == JsonValueKind.String
                ? tc.GetString() switch
                {
                    "none" => IrToolChoice.None,
                    "required" => IrToolChoice.Required,
                    _ => IrToolChoice.Auto,
                }
                : tc.Str("name"u8) is { } name ? new IrToolChoice(IrToolChoiceKind.Specific, name) : IrToolChoice.Auto;
        }

        IrResponseFormat? format = null;
        if (root.Obj("text"u8)?.Obj("format"u8) is { } f)
        {
            format = f.Str("type"u8) switch
            {
                "json_schema" => new IrResponseFormat(IrResponseFormatKind.JsonSchema, f.Str("name"u8),
                    f.TryProp("schema"u8, out var s) ? s.RawObject("text.format.schema") : OpenAIChat.OpenAIChatRequest.EmptySchema, f.Bool("strict"u8)),
                "json_object" => new IrResponseFormat(IrResponseFormatKind.JsonObject),
                _ => null,
            };
        }

        var reasoning = root.Obj("reasoning"u8) is { } r && r.Str("effort"u8) is { } effort ? new IrReasoningConfig(effort, null, r.Str("summary"u8) is not null) : null;
        return new IrRequest
        {
            Model = root.Str("model"u8),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            ToolChoice = choice,
            ParallelToolCalls = root.Bool("parallel_tool_calls"u8),
            Stream = root.Bool("stream"u8) ?? false,
            StreamIncludeUsage = true,
            User = root.Str("user"u8),
            Params = new IrGenerationParams
            {
                MaxTokens = root.Int("max_output_tokens"u8),
                Temperature = root.Double("temperature"u8),
                TopP = root.Double("top_p"u8),
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
            switch (p.Str("type"u8))
            {
                case "input_text":
                case "output_text":
                case "text":
                    parts.Add(new IrText(p.Str("text"u8) ?? string.Empty));
                    break;
                case "refusal":
                    parts.Add(new IrText(p.Str("refusal"u8) ?? string.Empty));
                    break;
                case "input_image":
                    if (p.Str("image_url"u8) is { } url)
                    {
                        parts.Add(IrImage.FromUrl(url));
                    }
                    else if (p.Str("file_id"u8) is { } fileId)
                    {
                        parts.Add(new IrImage(fileId, null, null));
                    }

                    break;
                case "input_file":
                    if (p.Str("file_data"u8) is { } fileData)
                    {
                        var file = IrImage.FromUrl(fileData);
                        if (file.Base64Data is not null)
                        {
                            parts.Add(file);
                        }
                    }
                    else if (p.Str("file_url"u8) is { } fileUrl)
                    {
                        parts.Add(new IrImage(fileUrl, null, "application/pdf"));
                    }

                    break; // file_id: OpenAI storage, drop table
                default:
                    break; // input_audio: drop table
            }
        }

        return parts.ToImmutable();
    }
}
