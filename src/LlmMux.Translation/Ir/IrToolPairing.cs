using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

/// <summary>OpenAI, Anthropic and Gemini all reject a history where a tool call has no result right after it, or a
/// result answers no call. Interrupted agents produce exactly that, and a lenient source dialect lets it through, so
/// cross-dialect requests are repaired: a missing result becomes an error result saying so, and an orphan result is
/// removed. A history that is already well paired is returned as the same instance.</summary>
internal static class IrToolPairing
{
    internal const string MissingResultText = "No result: the tool call was interrupted before it returned.";

    /// <summary>Up to this many calls in one turn a linear scan per result beats building a set.</summary>
    private const int ScanLimit = 16;

    public static IrRequest Repair(IrRequest r)
    {
        if (IsPaired(r.Messages))
        {
            return r;
        }

        var messages = ImmutableArray.CreateBuilder<IrMessage>(r.Messages.Length + 1);
        var pending = new PendingCalls();
        List<IrPart>? results = null;

        void FlushResults()
        {
            foreach (var call in pending.Unanswered())
            {
                (results ??= []).Add(new IrToolResult(call.Id, call.Name, [new IrText(MissingResultText)], IsError: true));
            }

            pending.Clear();
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
                    if (part is IrToolResult tr && pending.TryAnswer(tr.ToolCallId))
                    {
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
                foreach (var part in m.Parts)
                {
                    if (part is IrToolCall call)
                    {
                        pending.Add(call);
                    }
                }
            }
        }

        FlushResults();
        return r with { Messages = messages.ToImmutable() };
    }

    /// <summary>Allocation-free check for the common case.</summary>
    private static bool IsPaired(ImmutableArray<IrMessage> messages)
    {
        HashSet<string>? ids = null; // only for turns with many calls, where a scan per result would be quadratic
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

            bool indexed = calls > ScanLimit;
            if (indexed)
            {
                ids ??= new HashSet<string>(StringComparer.Ordinal);
                ids.Clear();
                foreach (var p in m.Parts)
                {
                    if (p is IrToolCall c)
                    {
                        ids.Add(c.Id);
                    }
                }
            }

            int answered = 0;
            for (int j = i + 1; j < messages.Length && messages[j].Role == IrRole.Tool; j++)
            {
                foreach (var p in messages[j].Parts)
                {
                    if (p is not IrToolResult tr || !(indexed ? ids!.Contains(tr.ToolCallId) : Answers(m, tr.ToolCallId)))
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

    /// <summary>The open calls of the last assistant turn, in order. A result answers the earliest unanswered call with
    /// its id (so duplicate ids are answered one by one), found in O(1) through a per-id chain of positions.</summary>
    private sealed class PendingCalls
    {
        private readonly List<IrToolCall> _calls = [];
        private readonly List<int> _nextSameId = [];  // position → next position with the same id, or -1
        private readonly List<bool> _answered = [];
        private readonly Dictionary<string, (int Head, int Tail)> _byId = new(StringComparer.Ordinal);

        public void Add(IrToolCall call)
        {
            int at = _calls.Count;
            _calls.Add(call);
            _nextSameId.Add(-1);
            _answered.Add(false);
            if (_byId.TryGetValue(call.Id, out var chain))
            {
                _nextSameId[chain.Tail] = at;
                _byId[call.Id] = (chain.Head, at);
            }
            else
            {
                _byId[call.Id] = (at, at);
            }
        }

        public bool TryAnswer(string id)
        {
            if (!_byId.TryGetValue(id, out var chain))
            {
                return false;
            }

            _answered[chain.Head] = true;
            int next = _nextSameId[chain.Head];
            if (next < 0)
            {
                _byId.Remove(id);
            }
            else
            {
                _byId[id] = (next, chain.Tail);
            }

            return true;
        }

        public IEnumerable<IrToolCall> Unanswered()
        {
            for (int i = 0; i < _calls.Count; i++)
            {
                if (!_answered[i])
                {
                    yield return _calls[i];
                }
            }
        }

        public void Clear()
        {
            _calls.Clear();
            _nextSameId.Clear();
            _answered.Clear();
            _byId.Clear();
        }
    }
}
