using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>Non-streaming chat.completion body ↔ IR.</summary>
internal static class OpenAIChatResponse
{
    public static IrResponse Decode(JsonElement root)
    {
        var choices = root.Req("choices"u8);
        if (choices.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type("choices", "an array");
        }

        ImmutableArray<IrPart> parts = [];
        string? finish = null;
        if (choices.GetArrayLength() > 0)
        {
            var c = choices[0];
            c.ExpectObject("choices[0]");
            var msg = c.Obj("message"u8) ?? throw TranslationException.Missing("choices[0].message");
            parts = DecodeMessageParts(msg);
            finish = c.Str("finish_reason"u8);
        }

        bool hasCalls = parts.Any(p => p is IrToolCall);
        return new IrResponse
        {
            Id = root.Str("id"u8),
            Model = root.Str("model"u8),
            Created = root.Long("created"u8),
            Parts = parts,
            FinishReason = FinishReasons.Normalise(OpenAIChat.OpenAIFinishReason.From(finish), hasCalls),
            Usage = DecodeUsage(root.Obj("usage"u8)),
        };
    }

    private static ImmutableArray<IrPart> DecodeMessageParts(JsonElement msg)
    {
        var parts = ImmutableArray.CreateBuilder<IrPart>();
        var reasoning = msg.Str("reasoning_content"u8);
        if (!string.IsNullOrEmpty(reasoning))
        {
            parts.Add(new IrReasoning(reasoning));
        }

        parts.AddRange(OpenAIChatRequest.DecodeContent(msg));
        if (msg.Str("refusal"u8) is { Length: > 0 } refusal)
        {
            parts.Add(new IrText(refusal));
        }

        foreach (var tc in msg.Arr("tool_calls"u8))
        {
            tc.ExpectObject("tool_calls[]");
            var f = tc.Obj("function"u8) ?? throw TranslationException.Missing("tool_calls[].function");
            parts.Add(new IrToolCall(tc.Str("id"u8) ?? Ids.NewCallId(), f.ReqStr("name"u8), OpenAIChatRequest.ArgumentsOf(f), OpenAIChatRequest.ThoughtSignatureOf(tc)));
        }

        return parts.ToImmutable();
    }

    public static IrUsage? DecodeUsage(JsonElement? usage)
    {
        if (usage is not { } u)
        {
            return null;
        }

        return new IrUsage(
            u.Long("prompt_tokens"u8) ?? 0,
            u.Long("completion_tokens"u8) ?? 0,
            u.Obj("prompt_tokens_details"u8)?.Long("cached_tokens"u8) ?? 0,
            u.Obj("completion_tokens_details"u8)?.Long("reasoning_tokens"u8) ?? 0);
    }

    public static void WriteUsage(Utf8JsonWriter w, IrUsage u)
    {
        w.WritePropertyName("usage"u8);
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens"u8, u.InputTokens);
        w.WriteNumber("completion_tokens"u8, u.OutputTokens);
        w.WriteNumber("total_tokens"u8, u.TotalTokens);
        w.WritePropertyName("prompt_tokens_details"u8);
        w.WriteStartObject();
        w.WriteNumber("cached_tokens"u8, u.CachedInputTokens);
        w.WriteEndObject();
        w.WritePropertyName("completion_tokens_details"u8);
        w.WriteStartObject();
        w.WriteNumber("reasoning_tokens"u8, u.ReasoningTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void Encode(IrResponse r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, r.Id ?? Ids.NewChatId());
        w.WriteString("object"u8, "chat.completion"u8);
        w.WriteNumber("created"u8, r.Created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WriteString("model"u8, r.Model ?? string.Empty);
        w.WritePropertyName("choices"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WritePropertyName("message"u8);
        w.WriteStartObject();
        w.WriteString("role"u8, "assistant"u8);
        string text = IrPartText.Join(r.Parts);
        bool hasCalls = false;
        string? reasoning = null;
        foreach (var p in r.Parts)
        {
            hasCalls |= p is IrToolCall;
            if (p is IrReasoning { Text.Length: > 0 } rp)
            {
                reasoning = reasoning is null ? rp.Text : reasoning + rp.Text;
            }
        }

        if (text.Length > 0 || !hasCalls)
        {
            w.WriteString("content"u8, text);
        }
        else
        {
            w.WriteNull("content"u8);
        }

        JsonWrite.StringIf(w, "reasoning_content", reasoning);
        if (hasCalls)
        {
            w.WritePropertyName("tool_calls"u8);
            w.WriteStartArray();
            foreach (var p in r.Parts)
            {
                if (p is IrToolCall c)
                {
                    OpenAIChatRequest.WriteToolCall(w, c, null);
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteNull("logprobs"u8);
        w.WriteString("finish_reason"u8, OpenAIChat.OpenAIFinishReason.To(FinishReasons.Normalise(r.FinishReason, hasCalls)));
        w.WriteEndObject();
        w.WriteEndArray();
        if (r.Usage is { } u)
        {
            WriteUsage(w, u);
        }

        w.WriteEndObject();
    }
}
