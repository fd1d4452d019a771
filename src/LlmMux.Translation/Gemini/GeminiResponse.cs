using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>GenerateContentResponse ↔ IR.</summary>
internal static class GeminiResponse
{
    public static IrResponse Decode(JsonElement root)
    {
        var parts = ImmutableArray.CreateBuilder<IrPart>();
        string? finish = null;
        bool blocked = false;
        if (!root.TryProp("candidates"u8, out var candidates))
        {
            // No candidates: the prompt was blocked (promptFeedback) or the body is not a response at all.
            blocked = root.TryProp("promptFeedback"u8, out _);
            if (!blocked && !root.TryProp("usageMetadata"u8, out _))
            {
                throw TranslationException.Missing("candidates");
            }
        }
        else
        {
            if (candidates.ValueKind != JsonValueKind.Array)
            {
                throw TranslationException.Type("candidates", "an array");
            }

            if (candidates.GetArrayLength() > 0)
            {
                var c = candidates[0];
                c.ExpectObject("candidates[0]");
                finish = c.Str("finishReason"u8);
                if (c.Obj("content"u8) is { } content)
                {
                    foreach (var p in content.Arr("parts"u8))
                    {
                        p.ExpectObject("parts[]");
                        DecodePart(p, parts);
                    }
                }
            }
        }

        bool hasCalls = parts.Any(p => p is IrToolCall);
        return new IrResponse
        {
            Id = root.Str("responseId"u8),
            Model = root.Str("modelVersion"u8),
            Parts = parts.ToImmutable(),
            FinishReason = blocked ? IrFinishReason.ContentFilter : FinishReasons.Normalise(Gemini.GeminiFinishReason.From(finish), hasCalls),
            Usage = DecodeUsage(root.Obj("usageMetadata"u8)),
        };
    }

    private static void DecodePart(JsonElement p, ImmutableArray<IrPart>.Builder parts)
    {
        string? sig = p.Str("thoughtSignature"u8);
        if (p.Obj("functionCall"u8) is { } fc)
        {
            parts.Add(new IrToolCall(fc.Str("id"u8) ?? Ids.NewCallId(), fc.ReqStr("name"u8), fc.TryProp("args"u8, out var a) ? a.RawObject("functionCall.args") : "{}", sig));
        }
        else if (p.Str("text"u8) is { } text)
        {
            if (p.Bool("thought"u8) is true)
            {
                parts.Add(new IrReasoning(text, sig));
            }
            else
            {
                if (sig is not null)
                {
                    parts.Add(new IrReasoning(string.Empty, sig));
                }

                if (text.Length > 0)
                {
                    parts.Add(new IrText(text));
                }
            }
        }
        else if (p.Obj("inlineData"u8) is { } inline)
        {
            parts.Add(new IrImage(null, inline.ReqStr("data"u8), inline.Str("mimeType"u8)));
        }
    }

    /// <summary>candidatesTokenCount excludes thoughts; IR output includes them.</summary>
    public static IrUsage? DecodeUsage(JsonElement? usage)
    {
        if (usage is not { } u)
        {
            return null;
        }

        long thoughts = u.Long("thoughtsTokenCount"u8) ?? 0;
        return new IrUsage(
            u.Long("promptTokenCount"u8) ?? 0,
            (u.Long("candidatesTokenCount"u8) ?? 0) + thoughts,
            u.Long("cachedContentTokenCount"u8) ?? 0,
            thoughts);
    }

    public static void WriteUsage(Utf8JsonWriter w, IrUsage u)
    {
        w.WritePropertyName("usageMetadata"u8);
        w.WriteStartObject();
        w.WriteNumber("promptTokenCount"u8, u.InputTokens);
        w.WriteNumber("candidatesTokenCount"u8, Math.Max(0, u.OutputTokens - u.ReasoningTokens));
        w.WriteNumber("totalTokenCount"u8, u.TotalTokens);
        if (u.CachedInputTokens > 0)
        {
            w.WriteNumber("cachedContentTokenCount"u8, u.CachedInputTokens);
        }

        // Always written (Gemini omits it when zero): clients that show thinking usage read it without a fallback.
        w.WriteNumber("thoughtsTokenCount"u8, u.ReasoningTokens);

        w.WriteEndObject();
    }

    public static void Encode(IrResponse r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("candidates"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WritePropertyName("content"u8);
        w.WriteStartObject();
        w.WriteString("role"u8, "model"u8);
        w.WritePropertyName("parts"u8);
        w.WriteStartArray();
        string? pendingSig = null;
        foreach (var p in r.Parts)
        {
            switch (p)
            {
                case IrReasoning { Text.Length: 0, Signature: { } s }:
                    pendingSig = s;
                    break;
                case IrReasoning { Text.Length: > 0 } rsn:
                    WriteTextPart(w, rsn.Text, true, rsn.Signature);
                    break;
                case IrText t:
                    WriteTextPart(w, t.Text, false, pendingSig);
                    pendingSig = null;
                    break;
                case IrToolCall c:
                    WriteCallPart(w, c, c.Signature ?? pendingSig);
                    pendingSig = null;
                    break;
                case IrImage { Base64Data: not null } img:
                    w.WriteStartObject();
                    w.WritePropertyName("inlineData"u8);
                    w.WriteStartObject();
                    w.WriteString("mimeType"u8, img.MediaType ?? "image/png");
                    w.WriteString("data"u8, img.Base64Data);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                default:
                    break;
            }
        }

        if (pendingSig is not null)
        {
            WriteTextPart(w, string.Empty, false, pendingSig);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteString("finishReason"u8, Gemini.GeminiFinishReason.To(r.FinishReason));
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        w.WriteEndArray();
        if (r.Usage is { } u)
        {
            WriteUsage(w, u);
        }

        JsonWrite.StringIf(w, "modelVersion", r.Model);
        JsonWrite.StringIf(w, "responseId", r.Id);
        w.WriteEndObject();
    }

    internal static void WriteTextPart(Utf8JsonWriter w, string text, bool thought, string? signature)
    {
        w.WriteStartObject();
        w.WriteString("text"u8, text);
        if (thought)
        {
            w.WriteBoolean("thought"u8, true);
        }

        JsonWrite.StringIf(w, "thoughtSignature", signature);
        w.WriteEndObject();
    }

    internal static void WriteCallPart(Utf8JsonWriter w, IrToolCall c, string? signature)
    {
        w.WriteStartObject();
        w.WritePropertyName("functionCall"u8);
        w.WriteStartObject();
        w.WriteString("id"u8, c.Id);
        w.WriteString("name"u8, c.Name);
        w.WritePropertyName("args"u8);
        JsonWrite.RawOrString(w, c.ArgumentsJson);
        w.WriteEndObject();
        JsonWrite.StringIf(w, "thoughtSignature", signature);
        w.WriteEndObject();
    }
}
