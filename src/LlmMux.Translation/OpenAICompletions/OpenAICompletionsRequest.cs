using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary>Legacy Completions request body ↔ IR.</summary>
internal static class OpenAICompletionsRequest
{
    /// <summary>Separator between the system prompt and the turns when a conversation is flattened into one prompt:
    /// a blank line keeps paragraphs apart without inventing a chat template the target model may not know.</summary>
    private const string TurnSeparator = "\n\n";

    public static IrRequest Decode(JsonElement root)
    {
        // OpenAI substitutes <|endoftext|> for a missing prompt; other targets have no such token, so require it.
        if (!root.TryProp("prompt", out _))
        {
            throw TranslationException.Missing("prompt");
        }

        // An array prompt is a batch in OpenAI (one completion per item); the IR has one conversation, so the items
        // become one prompt. Token-id arrays are rejected here as a wrong type: there is no tokenizer to decode them.
        var items = root.StrOrStrArray("prompt");
        string prompt = items.Length == 1 ? items[0] : string.Join('\n', items);

        // Ignored on purpose (drop table): suffix (insert mode), n / best_of (one choice only), echo (the prompt is
        // not repeated in the answer), logprobs, logit_bias, frequency/presence penalties.
        return new IrRequest
        {
            Model = root.Str("model"),
            Messages = [new IrMessage(IrRole.User, prompt.Length == 0 ? [] : [new IrText(prompt)])],
            Stream = root.Bool("stream") ?? false,
            StreamIncludeUsage = root.Obj("stream_options") is { } so && (so.Bool("include_usage") ?? false),
            User = root.Str("user"),
            Params = new IrGenerationParams
            {
                // OpenAI's implicit default of 16 is not applied: a translated target keeps its own default.
                MaxTokens = root.Int("max_tokens"),
                Temperature = root.Double("temperature"),
                TopP = root.Double("top_p"),
                Stop = root.StrOrStrArray("stop"),
                Seed = root.Long("seed"),
            },
        };
    }

    /// <summary>System blocks and the text of every turn, in order, joined by a blank line. Roles, tool calls, tool
    /// results, images and reasoning have no place in a bare prompt and are dropped (lossy by design).</summary>
    internal static string FlattenPrompt(IrRequest r)
    {
        var sb = new StringBuilder();
        foreach (var s in r.System)
        {
            Append(sb, s);
        }

        foreach (var m in r.Messages)
        {
            Append(sb, IrPartText.Join(m.Parts));
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (sb.Length > 0)
        {
            sb.Append(TurnSeparator);
        }

        sb.Append(text);
    }

    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", r.Model);
        w.WriteString("prompt"u8, FlattenPrompt(r));

        // Tools, tool choice, response format, reasoning and top_k have no legacy parameter (drop table).
        var p = r.Params;
        JsonWrite.NumberIf(w, "max_tokens", p.MaxTokens);
        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "top_p", p.TopP);
        JsonWrite.StringArrayIf(w, "stop", p.Stop);

        JsonWrite.NumberIf(w, "seed", p.Seed);
        OpenAIUserField.WriteIf(w, r.User);
        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
            // The gateway needs usage for accounting even when the client did not ask for it.
            w.WritePropertyName("stream_options"u8);
            w.WriteStartObject();
            w.WriteBoolean("include_usage"u8, true);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    internal static ImmutableArray<IrPart> TextPart(string? text) =>
        string.IsNullOrEmpty(text) ? [] : [new IrText(text)];
}
