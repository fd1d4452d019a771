using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>Responses API <c>response</c> object ↔ IR.</summary>
internal static class ResponsesResponse
{
    public static IrResponse Decode(JsonElement root)
    {
        if (!root.TryProp("output"u8, out var output))
        {
            throw TranslationException.Missing("output");
        }

        if (output.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type("output", "an array");
        }

        var parts = ImmutableArray.CreateBuilder<IrPart>();
        foreach (var item in output.EnumerateArray())
        {
            item.ExpectObject("output[]");
            DecodeItem(item, parts);
        }

        bool hasCalls = parts.Any(p => p is IrToolCall);
        return new IrResponse
        {
            Id = root.Str("id"u8),
            Model = root.Str("model"u8),
            Created = root.Long("created_at"u8),
            Parts = parts.ToImmutable(),
            FinishReason = OpenAIResponses.ResponsesFinishReason.From(root.Str("status"u8), root.Obj("incomplete_details"u8)?.Str("reason"u8), hasCalls),
            Usage = DecodeUsage(root.Obj("usage"u8)),
        };
    }

    internal static void DecodeItem(JsonElement item, ImmutableArray<IrPart>.Builder parts)
    {
        switch (item.Str("type"u8))
        {
            case "message":
                foreach (var c in item.Arr("content"u8))
                {
                    c.ExpectObject("content[]");
                    string? text = c.Str("type"u8) == "refusal" ? c.Str("refusal"u8) : c.Str("text"u8);
                    if (!string.IsNullOrEmpty(text))
                    {
                        parts.Add(new IrText(text));
                    }
                }

                break;
            case "function_call":
                parts.Add(new IrToolCall(item.ReqStr("call_id"u8), item.ReqStr("name"u8), item.Str("arguments"u8) is { Length: > 0 } a ? a : "{}"));
                break;
            case "reasoning":
                var summary = string.Concat(item.Arr("summary"u8).Select(s => s.Str("text"u8) ?? string.Empty));
                var content = string.Concat(item.Arr("content"u8).Select(s => s.Str("text"u8) ?? string.Empty));
                parts.Add(new IrReasoning(summary.Length > 0 ? summary : content, item.Str("encrypted_content"u8)));
                break;
            default:
                break;
        }
    }

    public static IrUsage? DecodeUsage(JsonElement? usage)
    {
        if (usage is not { } u)
        {
            return null;
        }

        return new IrUsage(
            u.Long("input_tokens"u8) ?? 0,
            u.Long("output_tokens"u8) ?? 0,
            u.Obj("input_tokens_details"u8)?.Long("cached_tokens"u8) ?? 0,
            u.Obj("output_tokens_details"u8)?.Long("reasoning_tokens"u8) ?? 0);
    }

    public static void WriteUsage(Utf8JsonWriter w, IrUsage? usage)
    {
        if (usage is not { } u)
        {
            w.WriteNull("usage"u8);
            return;
        }

        w.WritePropertyName("usage"u8);
        w.WriteStartObject();
        w.WriteNumber("input_tokens"u8, u.InputTokens);
        w.WritePropertyName("input_tokens_details"u8);
        w.WriteStartObject();
        w.WriteNumber("cached_tokens"u8, u.CachedInputTokens);
        w.WriteEndObject();
        w.WriteNumber("output_tokens"u8, u.OutputTokens);
        w.WritePropertyName("output_tokens_details"u8);
        w.WriteStartObject();
        w.WriteNumber("reasoning_tokens"u8, u.ReasoningTokens);
        w.WriteEndObject();
        w.WriteNumber("total_tokens"u8, u.TotalTokens);
        w.WriteEndObject();
    }

    /// <summary>status + incomplete_details for a finish reason.</summary>
    public static void WriteStatus(Utf8JsonWriter w, IrFinishReason? reason)
    {
        string? incomplete = reason switch
        {
            IrFinishReason.MaxTokens => "max_output_tokens",
            IrFinishReason.ContentFilter => "content_filter",
            _ => null,
        };
        w.WriteString("status"u8, reason is null ? "in_progress" : reason == IrFinishReason.Error ? "failed" : incomplete is null ? "completed" : "incomplete");
        if (incomplete is null)
        {
            w.WriteNull("incomplete_details"u8);
        }
        else
        {
            w.WritePropertyName("incomplete_details"u8);
            w.WriteStartObject();
            w.WriteString("reason"u8, incomplete);
            w.WriteEndObject();
        }
    }

    public static void Encode(IrResponse r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        string id = r.Id ?? Ids.NewResponseId();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "response"u8);
        w.WriteNumber("created_at"u8, r.Created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        WriteStatus(w, r.FinishReason);
        w.WriteNull("error"u8);
        w.WriteString("model"u8, r.Model ?? string.Empty);
        w.WritePropertyName("output"u8);
        w.WriteStartArray();
        int n = 0;
        string? text = null;
        foreach (var p in r.Parts)
        {
            if (p is IrText t)
            {
                text = text is null ? t.Text : text + t.Text;
                continue;
            }

            if (text is not null)
            {
                WriteMessageItem(w, "msg_" + n++, text);
                text = null;
            }

            switch (p)
            {
                case IrReasoning rs:
                    WriteReasoningItem(w, "rs_" + n++, rs.Text, rs.Signature);
                    break;
                case IrToolCall c:
                    if (c.Signature is { } callSignature)
                    {
                        WriteReasoningItem(w, "rs_" + n++, string.Empty, callSignature);
                    }

                    WriteFunctionCallItem(w, "fc_" + n++, c.Id, c.Name, c.ArgumentsJson, "completed");
                    break;
                default:
                    break;
            }
        }

        if (text is not null)
        {
            WriteMessageItem(w, "msg_" + n, text);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls"u8, true);
        WriteUsage(w, r.Usage);
        w.WriteEndObject();
    }

    internal static void WriteMessageItem(Utf8JsonWriter w, string id, string text)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("type"u8, "message"u8);
        w.WriteString("status"u8, "completed"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        WriteOutputText(w, text);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void WriteOutputText(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "output_text"u8);
        w.WriteString("text"u8, text);
        w.WritePropertyName("annotations"u8);
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void WriteReasoningItem(Utf8JsonWriter w, string id, string summary, string? encrypted)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("type"u8, "reasoning"u8);
        w.WritePropertyName("summary"u8);
        w.WriteStartArray();
        if (summary.Length > 0)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "summary_text"u8);
            w.WriteString("text"u8, summary);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        JsonWrite.StringIf(w, "encrypted_content", encrypted);
        w.WriteEndObject();
    }

    internal static void WriteFunctionCallItem(Utf8JsonWriter w, string id, string callId, string name, string arguments, string status)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("type"u8, "function_call"u8);
        w.WriteString("status"u8, status);
        w.WriteString("arguments"u8, arguments);
        w.WriteString("call_id"u8, callId);
        w.WriteString("name"u8, name);
        w.WriteEndObject();
    }
}
