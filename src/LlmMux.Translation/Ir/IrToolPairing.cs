using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

/// <summary>OpenAI, Anthropic and Gemini all reject a history where a tool call has no result right after it, or a
/// result answers no call. Interrupted agents produce exactly that, and a lenient source dialect lets it through, so
/// cross-dialect requests are repaired: a missing result becomes an error result saying so, and an orphan result is
/// removed. A history that is already well paired is returned as the same instance.</summary>
internal static class IrToolPairing
{
    internal const string MissingResultText = "No result: the tool call was interrupted before it returned.";

    public static IrRequest Repair(IrRequest r)
    {
        if (IsPaired(r.Messages))
        {
            return r;
        }

        var messages = ImmutableArray.CreateBuilder<IrMessage>(r.Messages.Length + 1);
        var pending = new List<IrToolCall>();
        List<IrPart>? results = null;

        void FlushResults()
        {
            if (pending.Count > 0)
            {
                results ??= [];
                foreach (var call in pending)
                {
                    results.Add(new IrToolResult(call.Id, call.Name, [new IrText(MissingResultText)], IsError: true));
                }

                pending.Clear();
            }

            if (results is { Count: > 0 })
            {
                messages.Add(new IrMessage(IrRole.Tool, [.. results]));
            }

            results = null;
        }

        foreach (var m in r.Messages)
        {
            if (m.Role == IrRole.Tool)
            {
                foreach (var part in m.Parts)
                {
                    int at = part is IrToolResult tr ? pending.FindIndex(c => c.Id == tr.ToolCallId) : -1;
                    if (at >= 0)
                    {
                        pending.RemoveAt(at);
                        (results ??= []).Add(part);
                    }

                    // anything else here answers no open call: dropped
                }

                continue;
            }

            FlushResults();
            messages.Add(m);
            if (m.Role == IrRole.Assistant)
            {
                pending.AddRange(m.Parts.OfType<IrToolCall>());
            }
        }

        FlushResults();
        return r with { Messages = messages.ToImmutable() };
    }

    /// <summary>Allocation-free check for the common case.</summary>
    private static bool IsPaired(ImmutableArray<IrMessage> messages)
    {
        for (int i = 0; i < messages.Length; i++)
        {
            var m = messages[i];
            if (m.Role == IrRole.Tool)
            {
                // A Tool message must follow an assistant turn (or another Tool message) …
                if (i == 0 || messages[i - 1].Role == IrRole.User)
                {
                    return false;
                }

                continue;
            }

            if (m.Role != IrRole.Assistant)
            {
                continue;
            }

            // … and the Tool messages right after an assistant turn must answer exactly its calls.
            int calls = 0;
            foreach (var p in m.Parts)
            {
                if (p is IrToolCall)
                {
                    calls++;
                }
            }

            int answered = 0;
            for (int j = i + 1; j < messages.Length && messages[j].Role == IrRole.Tool; j++)
            {
                foreach (var p in messages[j].Parts)
                {
                    if (p is not IrToolResult tr || !Answers(m, tr.ToolCallId))
                    {
                        return false;
                    }

                    answered++;
                }
            }

            if (answered != calls)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Answers(IrMessage assistant, string id)
    {
        foreach (var p in assistant.Parts)
        {
            if (p is IrToolCall c && c.Id == id)
            {
                return true;
            }
        }

        return false;
    }
}
