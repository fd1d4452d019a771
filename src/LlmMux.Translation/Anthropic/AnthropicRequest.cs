using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>The element readers of Messages API content blocks shared with the response decoder, the rare request
/// members the reader parses on their own slice, and the raw-body system-prefix patch; the request reader is
/// AnthropicRequest.Read.cs, the encoder AnthropicRequest.Encode.cs.</summary>
internal static partial class AnthropicRequest
{
    internal static (IrToolChoice? Choice, bool? Parallel) DecodeToolChoice(JsonElement tc)
    {
        var choice = tc.Str("type"u8) switch
        {
            "any" => IrToolChoice.Required,
            "none" => IrToolChoice.None,
            "tool" => new IrToolChoice(IrToolChoiceKind.Specific, tc.ReqStr("name"u8)),
            _ => IrToolChoice.Auto,
        };
        return (choice, tc.Bool("disable_parallel_tool_use"u8) is true ? false : null);
    }

    internal static IrReasoningConfig? DecodeThinking(JsonElement th) => th.Str("type"u8) switch
    {
        "enabled" => new IrReasoningConfig(null, th.Int("budget_tokens"u8) ?? 1024, true),
        "disabled" => new IrReasoningConfig(null, 0, false),
        // Claude Code's "adaptive": the model decides how much to think; other targets get a medium effort.
        "adaptive" => new IrReasoningConfig("medium", null, true),
        _ => null,
    };

    /// <summary>
    /// Claude's <c>output_config.effort</c> as the reasoning effort of targets that have one: it sets the effort of
    /// adaptive thinking, and stands alone when thinking was not asked for (then no thoughts are sent back). An explicit
    /// budget, or thinking switched off, wins.
    /// </summary>
    internal static IrReasoningConfig? WithEffort(IrReasoningConfig? thinking, string? effort)
    {
        if (effort is null || thinking is { BudgetTokens: not null })
        {
            return thinking;
        }

        var mapped = effort switch
        {
            "low" or "medium" or "high" => effort,
            "max" => "xhigh",
            _ => null,
        };
        return mapped is null ? thinking : new IrReasoningConfig(mapped, null, thinking?.IncludeThoughts ?? false);
    }

    internal static ImmutableArray<IrPart> DecodeBlocks(JsonElement content, string path)
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

    /// <summary><see cref="RequestOverrides.SystemPrefix"/> on the raw body: the prefix becomes the first system block
    /// unless it already is, and the caller's system prompt (blocks, or a string made a block) follows it untouched.</summary>
    internal static BodyEdit SystemPrefixPatch(string prefix) => new("system", null)
    {
        Edit = (existing, w) =>
        {
            var text = JsonEncodedText.Encode(prefix);
            var reader = new Utf8JsonReader(existing, JsonRead.ReaderOptions);
            bool present = !existing.IsEmpty && reader.Read();
            if (present && reader.TokenType == JsonTokenType.StartArray)
            {
                var start = reader.BytesConsumed;
                if (FirstBlockIs(ref reader, prefix))
                {
                    return EditResult.Keep;
                }

                w.WriteStartArray();
                WriteTextBlock(w, text);
                var inner = existing[(int)start..existing.LastIndexOf((byte)']')].Trim(" \t\r\n"u8);
                if (!inner.IsEmpty)
                {
                    w.WriteRawValue(inner, skipInputValidation: true);
                }

                w.WriteEndArray();
                return EditResult.Write;
            }

            w.WriteStartArray();
            WriteTextBlock(w, text);
            if (present && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "text"u8);
                w.WritePropertyName("text"u8);
                w.WriteRawValue(existing[(int)reader.TokenStartIndex..(int)reader.BytesConsumed], skipInputValidation: true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            return EditResult.Write;
        },
    };

    private static void WriteTextBlock(Utf8JsonWriter w, JsonEncodedText text)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "text"u8);
        w.WriteString("text"u8, text);
        w.WriteEndObject();
    }

    /// <summary>The array's first element is a block whose <c>text</c> is <paramref name="text"/>.</summary>
    private static bool FirstBlockIs(ref Utf8JsonReader reader, string text)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isText = reader.ValueTextEquals("text"u8);
            reader.Read();
            if (isText)
            {
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(text);
            }

            reader.Skip();
        }

        return false;
    }
}
