using System.Collections.Immutable;
using System.Runtime.InteropServices;
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

    /// <summary>A content value already parsed (a response's <c>content</c>) read by the request reader's block rules,
    /// so both directions accept the same blocks.</summary>
    internal static ImmutableArray<IrPart> DecodeBlocks(JsonElement content, string path)
    {
        var raw = JsonMarshal.GetRawUtf8Value(content);
        var r = new Utf8JsonReader(raw, JsonRead.ReaderOptions);
        r.Read();
        return ReadBlocks(ref r, raw, path);
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
