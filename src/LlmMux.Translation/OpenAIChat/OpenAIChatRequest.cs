using System.Collections.Immutable;
using System.Runtime.InteropServices;
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

    /// <summary>A parsed message's <c>content</c> (a response's) read by the request reader's part rules, so both
    /// directions accept the same parts.</summary>
    internal static ImmutableArray<IrPart> DecodeContent(JsonElement m)
    {
        if (!m.TryProp("content"u8, out var c))
        {
            return [];
        }

        var raw = JsonMarshal.GetRawUtf8Value(c);
        var r = new Utf8JsonReader(raw, JsonRead.ReaderOptions);
        r.Read();
        return ReadContent(ref r, raw);
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
