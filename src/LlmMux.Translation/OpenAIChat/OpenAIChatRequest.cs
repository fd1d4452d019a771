using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>The element readers of Chat Completions message parts shared with the response decoder, and the rare
/// request members the reader parses on their own slice; the request reader is OpenAIChatRequest.Read.cs, the encoder
/// OpenAIChatRequest.Encode.cs.</summary>
internal static partial class OpenAIChatRequest
{
    internal const string EmptySchema = """{"type":"object","properties":{}}""";

    internal static string ArgumentsOf(JsonElement function)
    {
        if (!function.TryProp("arguments"u8, out var a))
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

    internal static ImmutableArray<IrPart> DecodeContent(JsonElement m)
    {
        if (!m.TryProp("content"u8, out var c))
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
            switch (p.Str("type"u8))
            {
                case "text":
                case "input_text":
                case "output_text":
                    parts.Add(new IrText(p.Str("text"u8) ?? string.Empty));
                    break;
                case "image_url":
                    var iu = p.Req("image_url"u8);
                    string url = iu.ValueKind == JsonValueKind.String ? iu.GetString()! : iu.ReqStr("url"u8);
                    parts.Add(IrImage.FromUrl(url));
                    break;
                case "refusal":
                    parts.Add(new IrText(p.Str("refusal"u8) ?? string.Empty));
                    break;
                case "file":
                    // Only inline files (data: URLs) can travel; file ids point into OpenAI's storage (drop table).
                    if (p.Obj("file"u8)?.Str("file_data"u8) is { } fileData)
                    {
                        var file = IrImage.FromUrl(fileData);
                        if (file.Base64Data is not null)
                        {
                            parts.Add(file);
                        }
                    }

                    break;
                default:
                    break; // input_audio: no IR form (drop table)
            }
        }

        return parts.ToImmutable();
    }

    internal static IrToolChoice? DecodeToolChoice(JsonElement root)
    {
        if (!root.TryProp("tool_choice"u8, out var tc))
        {
            // Legacy function_call: "none" | "auto" | {"name": …}
            if (!root.TryProp("function_call"u8, out var fc))
            {
                return null;
            }

            return fc.ValueKind == JsonValueKind.String
                ? fc.GetString() == "none" ? IrToolChoice.None : IrToolChoice.Auto
                : new IrToolChoice(IrToolChoiceKind.Specific, fc.ReqStr("name"u8));
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
        string? name = tc.Obj("function"u8)?.Str("name"u8) ?? tc.Str("name"u8);
        return name is null ? IrToolChoice.Auto : new IrToolChoice(IrToolChoiceKind.Specific, name);
    }

    internal static IrResponseFormat? DecodeResponseFormat(JsonElement root)
    {
        if (root.Obj("response_format"u8) is not { } rf)
        {
            return null;
        }

        switch (rf.Str("type"u8))
        {
            case "json_object":
                return new IrResponseFormat(IrResponseFormatKind.JsonObject);
            case "json_schema":
                var js = rf.Obj("json_schema"u8) ?? throw TranslationException.Missing("response_format.json_schema");
                return new IrResponseFormat(
                    IrResponseFormatKind.JsonSchema,
                    js.Str("name"u8),
                    js.TryProp("schema"u8, out var s) ? s.RawObject("json_schema.schema") : EmptySchema,
                    js.Bool("strict"u8));
            default:
                return new IrResponseFormat(IrResponseFormatKind.Text);
        }
    }
}

/// <summary>Legacy function calls of one request still waiting for their result, by function name.</summary>
internal sealed class LegacyCalls
{
    public Dictionary<string, Queue<string>> Waiting { get; } = new(StringComparer.Ordinal);

    public int Issued { get; set; }

    /// <summary>A legacy <c>function_call</c> as a tool call. Legacy calls have no id; a stable one per name lets the
    /// following "function" message pair with it.</summary>
    public IrToolCall Call(JsonElement legacy)
    {
        string name = legacy.ReqStr("name"u8);
        if (!Waiting.TryGetValue(name, out var queue))
        {
            Waiting[name] = queue = new Queue<string>();
        }

        string id = $"call_{name}_{Issued++}";
        queue.Enqueue(id);
        return new IrToolCall(id, name, OpenAIChatRequest.ArgumentsOf(legacy));
    }
}
