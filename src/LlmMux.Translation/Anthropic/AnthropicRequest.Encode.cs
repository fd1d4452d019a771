using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>IR → request body (the decoding half is in AnthropicRequest.cs).</summary>
internal static partial class AnthropicRequest
{
    public static void Encode(IrRequest r, Utf8JsonWriter w, RequestOverrides? o)
    {
        var p = r.Params;
        int? budget = ReasoningMap.Budget(p.Reasoning);
        bool thinking = (budget is > 0 or -1) && CanThink(r);
        int thinkingBudget = budget is -1 ? 8192 : Math.Max(1024, budget ?? 0);
        int maxTokens = p.MaxTokens ?? o?.DefaultMaxTokens ?? 8192;
        if (thinking && maxTokens <= thinkingBudget)
        {
            // Anthropic requires max_tokens > budget_tokens; keep the answer room the client asked for.
            maxTokens = thinkingBudget + maxTokens;
        }

        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", r.Model);
        w.WriteNumber("max_tokens"u8, maxTokens);
        if (!r.System.IsDefaultOrEmpty)
        {
            // Blocks, not a joined string: that keeps prompt boundaries and lets the gateway prepend identity blocks.
            w.WritePropertyName("system"u8);
            w.WriteStartArray();
            foreach (var s in r.System)
            {
                if (s.Length == 0)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("type"u8, "text"u8);
                w.WriteString("text"u8, s);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WritePropertyName("messages"u8);
        w.WriteStartArray();
        var pending = new List<IrPart>();
        bool pendingAssistant = false;
        foreach (var m in r.Messages)
        {
            bool assistant = m.Role == IrRole.Assistant;
            if (pending.Count > 0 && assistant != pendingAssistant)
            {
                WriteMessage(w, pendingAssistant, pending);
                pending.Clear();
            }

            pendingAssistant = assistant;
            // Tool results go first in a user turn, as the API requires.
            if (m.Role == IrRole.Tool)
            {
                pending.InsertRange(pending.FindLastIndex(x => x is IrToolResult) + 1, m.Parts);
            }
            else
            {
                pending.AddRange(m.Parts);
            }
        }

        if (pending.Count > 0)
        {
            WriteMessage(w, pendingAssistant, pending);
        }

        w.WriteEndArray();

        if (!r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("tools"u8);
            w.WriteStartArray();
            foreach (var t in r.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name"u8, t.Name);
                JsonWrite.StringIf(w, "description", t.Description);
                w.WritePropertyName("input_schema"u8);
                JsonWrite.RawOrString(w, t.ParametersJson, OpenAIChat.OpenAIChatRequest.EmptySchema);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (r.ToolChoice is { } tc && !r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("tool_choice"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, tc.Kind switch
            {
                IrToolChoiceKind.None => "none",
                IrToolChoiceKind.Required => "any",
                IrToolChoiceKind.Specific => "tool",
                _ => "auto",
            });
            if (tc.Kind == IrToolChoiceKind.Specific)
            {
                w.WriteString("name"u8, tc.Name);
            }

            if (r.ParallelToolCalls is false && tc.Kind != IrToolChoiceKind.None)
            {
                w.WriteBoolean("disable_parallel_tool_use"u8, true);
            }

            w.WriteEndObject();
        }
        else if (r.ParallelToolCalls is false && !r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("tool_choice"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "auto"u8);
            w.WriteBoolean("disable_parallel_tool_use"u8, true);
            w.WriteEndObject();
        }

        // Extended thinking rejects a modified temperature / top_k (drop table).
        if (!thinking)
        {
            JsonWrite.NumberIf(w, "temperature", p.Temperature);
            JsonWrite.NumberIf(w, "top_k", p.TopK);
        }

        JsonWrite.NumberIf(w, "top_p", p.TopP);
        JsonWrite.StringArrayIf(w, "stop_sequences", p.Stop);

        if (thinking)
        {
            w.WritePropertyName("thinking"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "enabled"u8);
            w.WriteNumber("budget_tokens"u8, thinkingBudget);
            w.WriteEndObject();
        }

        if (r.User is not null)
        {
            w.WritePropertyName("metadata"u8);
            w.WriteStartObject();
            w.WriteString("user_id"u8, r.User);
            w.WriteEndObject();
        }

        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
        }

        w.WriteEndObject();
    }

    /// <summary>Reasoning override on an Anthropic body, as in-place edits (see <see cref="Internal.BodyPatch"/>): the same
    /// rules as <see cref="Encode"/> — budget ≥ 1024, max_tokens above the budget, no temperature/top_k with thinking,
    /// and no thinking for a tool loop whose last assistant turn has no signed thinking.</summary>
    public static IReadOnlyList<Internal.BodyEdit> ReasoningPatch(JsonElement root, IrReasoningConfig reasoning)
    {
        int? budget = ReasoningMap.Budget(reasoning);
        if (budget is not (> 0 or -1) || !CanThink(root))
        {
            return [new("thinking", null)];
        }

        int thinkingBudget = budget is -1 ? 8192 : Math.Max(1024, budget.Value);
        int maxTokens = root.Int("max_tokens"u8) ?? 8192;
        var edits = new List<Internal.BodyEdit>
        {
            new("thinking", w =>
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "enabled"u8);
                w.WriteNumber("budget_tokens"u8, thinkingBudget);
                w.WriteEndObject();
            }),
            new("temperature", null),
            new("top_k", null),
        };
        if (maxTokens <= thinkingBudget)
        {
            edits.Add(new("max_tokens", w => w.WriteNumberValue(thinkingBudget + maxTokens)));
        }

        return edits;
    }

    /// <summary><see cref="CanThink(IrRequest)"/> on the raw body.</summary>
    private static bool CanThink(JsonElement root)
    {
        JsonElement? last = null;
        foreach (var m in root.Arr("messages"u8))
        {
            if (m.Is("role"u8, "assistant"u8))
            {
                last = m;
            }
        }

        if (last is not { } assistant || !assistant.TryProp("content"u8, out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        bool calls = false;
        bool thinking = false;
        foreach (var b in content.EnumerateArray())
        {
            calls |= b.Is("type"u8, "tool_use"u8);
            thinking |= b.Is("type"u8, "thinking"u8) || b.Is("type"u8, "redacted_thinking"u8);
        }

        return !calls || thinking;
    }

    /// <summary>With thinking on, Anthropic requires the last assistant turn of a tool loop to start with a signed
    /// thinking block. History from clients that cannot carry signatures (OpenAI Chat, Ollama) lacks it, so thinking
    /// is switched off for that request instead of failing it (drop table).</summary>
    private static bool CanThink(IrRequest r)
    {
        for (int i = r.Messages.Length - 1; i >= 0; i--)
        {
            var m = r.Messages[i];
            if (m.Role != IrRole.Assistant)
            {
                continue;
            }

            bool calls = m.Parts.Any(p => p is IrToolCall);
            bool signed = m.Parts.Any(p => p is IrReasoning { RedactedData: not null } or IrReasoning { Signature.Length: > 0 });
            return !calls || signed;
        }

        return true;
    }

    private static void WriteMessage(Utf8JsonWriter w, bool assistant, List<IrPart> parts)
    {
        if (!parts.Exists(IsExpressible))
        {
            // Nothing Anthropic can carry (e.g. only unsigned reasoning): skip the turn rather than invent text;
            // the API accepts and merges the consecutive same-role turns this may leave.
            return;
        }

        w.WriteStartObject();
        w.WriteString("role"u8, assistant ? "assistant" : "user");
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        foreach (var part in parts)
        {
            WriteBlock(w, part);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static bool IsExpressible(IrPart part) => part switch
    {
        IrText t => t.Text.Length > 0,
        IrReasoning r => r.RedactedData is not null || !string.IsNullOrEmpty(r.Signature),
        _ => true,
    };

    internal static bool WriteBlock(Utf8JsonWriter w, IrPart part)
    {
        switch (part)
        {
            case IrText { Text.Length: > 0 } t:
                w.WriteStartObject();
                w.WriteString("type"u8, "text"u8);
                w.WriteString("text"u8, t.Text);
                w.WriteEndObject();
                return true;
            case IrImage img:
                WriteImage(w, img);
                return true;
            case IrToolCall c:
                w.WriteStartObject();
                w.WriteString("type"u8, "tool_use"u8);
                w.WriteString("id"u8, c.Id);
                w.WriteString("name"u8, c.Name);
                w.WritePropertyName("input"u8);
                JsonWrite.RawOrString(w, c.ArgumentsJson);
                w.WriteEndObject();
                return true;
            case IrToolResult tr:
                w.WriteStartObject();
                w.WriteString("type"u8, "tool_result"u8);
                w.WriteString("tool_use_id"u8, tr.ToolCallId);
                if (tr.Content.Any(x => x is IrImage))
                {
                    w.WritePropertyName("content"u8);
                    w.WriteStartArray();
                    foreach (var x in tr.Content)
                    {
                        WriteBlock(w, x);
                    }

                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("content"u8, tr.JoinedText());
                }

                if (tr.IsError)
                {
                    w.WriteBoolean("is_error"u8, true);
                }

                w.WriteEndObject();
                return true;
            case IrReasoning { RedactedData: { } data }:
                w.WriteStartObject();
                w.WriteString("type"u8, "redacted_thinking"u8);
                w.WriteString("data"u8, data);
                w.WriteEndObject();
                return true;
            case IrReasoning { Signature: { Length: > 0 } sig } r:
                // Only signed thinking can be replayed; unsigned reasoning from other dialects is dropped.
                w.WriteStartObject();
                w.WriteString("type"u8, "thinking"u8);
                w.WriteString("thinking"u8, r.Text);
                w.WriteString("signature"u8, sig);
                w.WriteEndObject();
                return true;
            default:
                return false;
        }
    }

    private static void WriteImage(Utf8JsonWriter w, IrImage img)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, img.IsImage ? "image"u8 : "document"u8);
        w.WritePropertyName("source"u8);
        w.WriteStartObject();
        if (img.Base64Data is not null)
        {
            w.WriteString("type"u8, "base64");
            w.WriteString("media_type"u8, img.MediaType ?? "image/png");
            w.WriteString("data"u8, img.Base64Data);
        }
        else if (img.Url is { } url && url.StartsWith("file_", StringComparison.Ordinal))
        {
            w.WriteString("type"u8, "file"u8);
            w.WriteString("file_id"u8, url);
        }
        else
        {
            w.WriteString("type"u8, "url"u8);
            w.WriteString("url"u8, img.Url);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
