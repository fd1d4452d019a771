using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary><c>text_completion</c> response body ↔ IR.</summary>
internal static class OpenAICompletionsResponse
{
    public static IrResponse Decode(JsonElement root)
    {
        var choices = root.Req("choices");
        if (choices.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type("choices", "an array");
        }

        string? text = null;
        string? finish = null;
        // Only the first choice is translated (n > 1 is in the drop table).
        if (choices.GetArrayLength() > 0)
        {
            var c = choices[0];
            c.ExpectObject("choices[0]");
            text = c.Str("text");
            finish = c.Str("finish_reason");
        }

        return new IrResponse
        {
            Id = root.Str("id"),
            Model = root.Str("model"),
            Created = root.Long("created"),
            Parts = OpenAICompletionsRequest.TextPart(text),
            FinishReason = OpenAIChat.OpenAIFinishReason.From(finish),
            Usage = OpenAIChat.OpenAIChatResponse.DecodeUsage(root.Obj("usage")), // servers add Chat's details objects here too
        };
    }

    /// <summary>The legacy usage object has only the three totals.</summary>
    public static void WriteUsage(Utf8JsonWriter w, IrUsage u)
    {
        w.WritePropertyName("usage"u8);
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens"u8, u.InputTokens);
        w.WriteNumber("completion_tokens"u8, u.OutputTokens);
        w.WriteNumber("total_tokens"u8, u.TotalTokens);
        w.WriteEndObject();
    }

    /// <summary>The legacy finish reasons are stop, length and content_filter. A tool-call turn cannot be expressed
    /// (its calls are dropped), so it ends as a plain stop like every other reason without a legacy word.</summary>
    public static string FinishReason(IrFinishReason r) => r switch
    {
        IrFinishReason.MaxTokens => "length",
        IrFinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };

    /// <summary>Legacy completion ids carry the <c>cmpl-</c> prefix; clients sometimes key on it.</summary>
    public static string NewId() => "cmpl-" + Guid.NewGuid().ToString("N")[..24];

    public static void Encode(IrResponse r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, r.Id ?? NewId());
        w.WriteString("object"u8, "text_completion"u8);
        w.WriteNumber("created"u8, r.Created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WriteString("model"u8, r.Model ?? string.Empty);
        w.WritePropertyName("choices"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        // Text parts only: reasoning and tool calls have no field in a text completion (drop table).
        w.WriteString("text"u8, IrPartText.Join(r.Parts));
        w.WriteNumber("index"u8, 0);
        w.WriteNull("logprobs"u8);
        w.WriteString("finish_reason"u8, FinishReason(r.FinishReason));
        w.WriteEndObject();
        w.WriteEndArray();
        if (r.Usage is { } u)
        {
            WriteUsage(w, u);
        }

        w.WriteEndObject();
    }
}
