using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>Non-streaming message body ↔ IR.</summary>
internal static class AnthropicResponse
{
    public static IrResponse Decode(JsonElement root)
    {
        var parts = AnthropicRequest.DecodeBlocks(root.Req("content"u8), "content");
        return new IrResponse
        {
            Id = root.Str("id"u8),
            Model = root.Str("model"u8),
            Parts = parts,
            FinishReason = FinishReasons.Normalise(Anthropic.AnthropicFinishReason.From(root.Str("stop_reason"u8)), parts.Any(p => p is IrToolCall)),
            Usage = DecodeUsage(root.Obj("usage"u8)),
        };
    }

    /// <summary>Anthropic's input_tokens excludes cache reads and writes; IR input is the total prompt.</summary>
    public static IrUsage? DecodeUsage(JsonElement? usage)
    {
        if (usage is not { } u)
        {
            return null;
        }

        long cacheRead = u.Long("cache_read_input_tokens"u8) ?? 0;
        long cacheWrite = u.Long("cache_creation_input_tokens"u8) ?? 0;
        return new IrUsage((u.Long("input_tokens"u8) ?? 0) + cacheRead + cacheWrite, u.Long("output_tokens"u8) ?? 0, cacheRead, CacheWriteInputTokens: cacheWrite);
    }

    /// <summary><c>message_delta</c> usage is cumulative; input fields may be absent there, so the start values stay.</summary>
    public static IrUsage MergeDeltaUsage(IrUsage previous, JsonElement u)
    {
        long cacheRead = u.Long("cache_read_input_tokens"u8) ?? previous.CachedInputTokens;
        long cacheWrite = u.Long("cache_creation_input_tokens"u8) ?? previous.CacheWriteInputTokens;
        long input = u.Long("input_tokens"u8) is { } i
            ? i + cacheRead + cacheWrite
            : previous.InputTokens;
        return new IrUsage(input, u.Long("output_tokens"u8) ?? previous.OutputTokens, cacheRead, CacheWriteInputTokens: cacheWrite);
    }

    public static void WriteUsage(Utf8JsonWriter w, IrUsage u)
    {
        w.WritePropertyName("usage"u8);
        w.WriteStartObject();
        w.WriteNumber("input_tokens"u8, Math.Max(0, u.InputTokens - u.CachedInputTokens - u.CacheWriteInputTokens));
        w.WriteNumber("cache_creation_input_tokens"u8, u.CacheWriteInputTokens);
        w.WriteNumber("cache_read_input_tokens"u8, u.CachedInputTokens);
        w.WriteNumber("output_tokens"u8, u.OutputTokens);
        w.WriteEndObject();
    }

    public static void Encode(IrResponse r, Utf8JsonWriter w)
    {
        bool hasCalls = r.Parts.Any(p => p is IrToolCall);
        w.WriteStartObject();
        w.WriteString("id"u8, r.Id ?? Ids.NewMessageId());
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, r.Model ?? string.Empty);
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        foreach (var p in r.Parts)
        {
            if (p is IrReasoning { Signature: null, RedactedData: null, Text.Length: > 0 } unsigned)
            {
                // A response may show unsigned reasoning (clients display it); only requests need signatures.
                w.WriteStartObject();
                w.WriteString("type"u8, "thinking"u8);
                w.WriteString("thinking"u8, unsigned.Text);
                w.WriteString("signature"u8, string.Empty);
                w.WriteEndObject();
                continue;
            }

            if (p is IrToolCall { Signature: { } callSignature })
            {
                // Same carrier as the stream encoder: an empty signed thinking block in front of the call.
                w.WriteStartObject();
                w.WriteString("type"u8, "thinking"u8);
                w.WriteString("thinking"u8, string.Empty);
                w.WriteString("signature"u8, callSignature);
                w.WriteEndObject();
            }

            AnthropicRequest.WriteBlock(w, p);
        }

        w.WriteEndArray();
        w.WriteString("stop_reason"u8, Anthropic.AnthropicFinishReason.To(FinishReasons.Normalise(r.FinishReason, hasCalls)));
        w.WriteNull("stop_sequence"u8);
        WriteUsage(w, r.Usage ?? new IrUsage(0, 0));
        w.WriteEndObject();
    }
}
