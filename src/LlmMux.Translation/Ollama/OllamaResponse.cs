using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama chat / generate response objects ↔ IR (a non-stream body is one final object).</summary>
internal static class OllamaResponse
{
    public static IrResponse Decode(JsonElement root, bool generate)
    {
        var parts = ImmutableArray.CreateBuilder<IrPart>();
        JsonElement holder;
        if (generate)
        {
            if (!root.TryProp("response"u8, out _))
            {
                throw TranslationException.Missing("response");
            }

            holder = root;
        }
        else
        {
            holder = root.Obj("message"u8) ?? throw TranslationException.Missing("message");
        }

        if (holder.Str("thinking"u8) is { Length: > 0 } thinking)
        {
            parts.Add(new IrReasoning(thinking));
        }

        if (holder.Str(generate ? "response" : "content") is { Length: > 0 } text)
        {
            parts.Add(new IrText(text));
        }

        foreach (var tc in holder.Arr("tool_calls"u8))
        {
            tc.ExpectObject("tool_calls[]");
            var f = tc.Obj("function"u8) ?? throw TranslationException.Missing("tool_calls[].function");
            parts.Add(new IrToolCall(tc.Str("id"u8) ?? Ids.NewCallId(), f.ReqStr("name"u8), OpenAIChat.OpenAIChatRequest.ArgumentsOf(f)));
        }

        bool hasCalls = parts.Any(p => p is IrToolCall);
        return new IrResponse
        {
            Model = root.Str("model"u8),
            Parts = parts.ToImmutable(),
            FinishReason = FinishReasons.Normalise(Ollama.OllamaFinishReason.From(root.Str("done_reason"u8)), hasCalls),
            Usage = DecodeUsage(root),
        };
    }

    public static IrUsage? DecodeUsage(JsonElement root) =>
        root.Long("prompt_eval_count"u8) is null && root.Long("eval_count"u8) is null
            ? null
            : new IrUsage(root.Long("prompt_eval_count"u8) ?? 0, root.Long("eval_count"u8) ?? 0);

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    /// <summary>The closing fields of a final object (done, reason, counters).</summary>
    public static void WriteDone(Utf8JsonWriter w, IrFinishReason reason, IrUsage? usage)
    {
        w.WriteBoolean("done"u8, true);
        w.WriteString("done_reason"u8, Ollama.OllamaFinishReason.To(reason));
        w.WriteNumber("total_duration"u8, 0);
        w.WriteNumber("load_duration"u8, 0);
        w.WriteNumber("prompt_eval_count"u8, usage?.InputTokens ?? 0);
        w.WriteNumber("prompt_eval_duration"u8, 0);
        w.WriteNumber("eval_count"u8, usage?.OutputTokens ?? 0);
        w.WriteNumber("eval_duration"u8, 0);
    }

    public static void Encode(IrResponse r, Utf8JsonWriter w, bool generate)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, r.Model ?? string.Empty);
        w.WriteString("created_at"u8, Now());
        string text = IrPartText.Join(r.Parts);
        string thinking = string.Concat(r.Parts.OfType<IrReasoning>().Select(x => x.Text));
        if (generate)
        {
            w.WriteString("response"u8, text);
            if (thinking.Length > 0)
            {
                w.WriteString("thinking"u8, thinking);
            }
        }
        else
        {
            w.WritePropertyName("message"u8);
            w.WriteStartObject();
            w.WriteString("role"u8, "assistant"u8);
            w.WriteString("content"u8, text);
            if (thinking.Length > 0)
            {
                w.WriteString("thinking"u8, thinking);
            }

            if (r.Parts.Any(p => p is IrToolCall))
            {
                w.WritePropertyName("tool_calls"u8);
                w.WriteStartArray();
                foreach (var c in r.Parts.OfType<IrToolCall>())
                {
                    OllamaRequest.WriteToolCall(w, c.Name, c.ArgumentsJson);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        WriteDone(w, r.FinishReason, r.Usage);
        w.WriteEndObject();
    }
}
