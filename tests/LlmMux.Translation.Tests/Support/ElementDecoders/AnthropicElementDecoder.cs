using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Anthropic;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;
using LlmMux.Translation.OpenAIChat;

namespace LlmMux.Translation.Tests.Support.ElementDecoders;

/// <summary>The element-based Messages API request decoder the reader replaced, kept as an independent oracle:
/// it walks a parsed document in document order, so it cannot share the reader's member-order bugs.</summary>
internal static class AnthropicElementDecoder
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        if (root.TryProp("system"u8, out var sys))
        {
            if (sys.ValueKind == JsonValueKind.String)
            {
                system.Add(sys.GetString()!);
            }
            else if (sys.ValueKind == JsonValueKind.Array)
            {
                foreach (var b in sys.EnumerateArray())
                {
                    b.ExpectObject("system[]");
                    system.Add(b.Str("text"u8) ?? string.Empty);
                }
            }
            else
            {
                throw TranslationException.Type("system", "a string or an array of text blocks");
            }
        }

        if (!root.TryProp("messages"u8, out _))
        {
            throw TranslationException.Missing("messages");
        }

        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        foreach (var m in root.Arr("messages"u8))
        {
            m.ExpectObject("messages[]");
            var role = m.ReqStr("role"u8);
            if (role == "system")
            {
                // Claude Code sends some instructions as a system-role message inside messages; they are system prompt.
                var content = m.Req("content"u8);
                system.Add(content.ValueKind == JsonValueKind.String
                    ? content.GetString()!
                    : string.Concat(content.EnumerateArray().Select(b => b.ValueKind == JsonValueKind.Object ? b.Str("text"u8) : null)));
                continue;
            }

            bool assistant = role == "assistant";
            var parts = DecodeBlocks(m.Req("content"u8), "messages[].content");
            if (assistant)
            {
                messages.Add(new IrMessage(IrRole.Assistant, parts));
                continue;
            }

            // A user turn carries tool results first; IR keeps them in their own Tool message.
            var results = parts.Where(p => p is IrToolResult).ToImmutableArray();
            var rest = parts.Where(p => p is not IrToolResult).ToImmutableArray();
            if (results.Length > 0)
            {
                messages.Add(new IrMessage(IrRole.Tool, results));
            }

            if (rest.Length > 0 || results.Length == 0)
            {
                messages.Add(new IrMessage(IrRole.User, rest));
            }
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"u8))
        {
            t.ExpectObject("tools[]");
            if (t.Str("type"u8) is { } type && type != "custom")
            {
                continue; // server tools (web_search_*, bash_*, …) have no IR form (drop table)
            }

            tools.Add(new IrTool(
                t.ReqStr("name"u8),
                t.Str("description"u8),
                t.TryProp("input_schema"u8, out var s) ? s.RawObject("input_schema") : OpenAIChatRequest.EmptySchema));
        }

        var (choice, parallel) = root.Obj("tool_choice"u8) is { } tc ? AnthropicRequest.DecodeToolChoice(tc) : (null, null);
        var reasoning = root.Obj("thinking"u8) is { } th ? AnthropicRequest.DecodeThinking(th) : null;

        return new IrRequest
        {
            Model = root.Str("model"u8),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            ToolChoice = choice,
            ParallelToolCalls = parallel,
            Stream = root.Bool("stream"u8) ?? false,
            StreamIncludeUsage = true,
            User = root.Obj("metadata"u8)?.Str("user_id"u8),
            Params = new IrGenerationParams
            {
                MaxTokens = root.Int("max_tokens"u8),
                Temperature = root.Double("temperature"u8),
                TopP = root.Double("top_p"u8),
                TopK = root.Int("top_k"u8),
                Stop = root.StrOrStrArray("stop_sequences"u8),
                Reasoning = reasoning,
            },
        };
    }

    private static ImmutableArray<IrPart> DecodeBlocks(JsonElement content, string path)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            string s = content.GetString()!;
            return s.Length == 0 ? [] : [new IrText(s)];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type(path, "a string or an array of blocks");
        }

        var parts = ImmutableArray.CreateBuilder<IrPart>();
        foreach (var b in content.EnumerateArray())
        {
            b.ExpectObject(path + "[]");
            switch (b.ReqStr("type"u8))
            {
                case "text":
                    parts.Add(new IrText(b.Str("text"u8) ?? string.Empty));
                    break;
                case "image":
                    parts.Add(DecodeImage(b));
                    break;
                case "document":
                    if (DecodeDocument(b) is { } doc)
                    {
                        parts.Add(doc);
                    }

                    break;
                case "tool_use":
                    parts.Add(new IrToolCall(
                        b.ReqStr("id"u8),
                        b.ReqStr("name"u8),
                        b.TryProp("input"u8, out var input) ? input.GetRawText() : "{}"));
                    break;
                case "tool_result":
                    parts.Add(new IrToolResult(
                        b.ReqStr("tool_use_id"u8),
                        null,
                        b.TryProp("content"u8, out var rc) ? DecodeBlocks(rc, "tool_result.content") : [],
                        b.Bool("is_error"u8) ?? false));
                    break;
                case "thinking":
                    parts.Add(new IrReasoning(b.Str("thinking"u8) ?? string.Empty, b.Str("signature"u8)));
                    break;
                case "redacted_thinking":
                    parts.Add(new IrReasoning(string.Empty, null, b.ReqStr("data"u8)));
                    break;
                default:
                    break; // document, search_result, server_tool_use, …: drop table
            }
        }

        return parts.ToImmutable();
    }

    /// <summary>PDF documents (base64 or URL) become IR files; plain-text documents become text.</summary>
    private static IrPart? DecodeDocument(JsonElement b)
    {
        var src = b.Obj("source"u8) ?? throw TranslationException.Missing("document.source");
        return src.Str("type"u8) switch
        {
            "base64" => new IrImage(null, src.ReqStr("data"u8), src.Str("media_type"u8) ?? "application/pdf"),
            "url" => new IrImage(src.ReqStr("url"u8), null, "application/pdf"),
            "text" => new IrText(src.Str("data"u8) ?? string.Empty),
            _ => null, // content / file sources: drop table
        };
    }

    private static IrImage DecodeImage(JsonElement b)
    {
        var src = b.Obj("source"u8) ?? throw TranslationException.Missing("image.source");
        return src.Str("type"u8) switch
        {
            "base64" => new IrImage(null, src.ReqStr("data"u8), src.Str("media_type"u8)),
            "url" => IrImage.FromUrl(src.ReqStr("url"u8)),
            "file" => new IrImage(src.ReqStr("file_id"u8), null, null),
            _ => throw TranslationException.Type("image.source.type", "base64, url or file"),
        };
    }
}
