using System.Collections.Immutable;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.History;

/// <summary>
/// What an answer from one upstream family needs on its way to a client of another, so that whatever the client
/// replays next turn can be sorted by <see cref="HistoryRules"/>, even when its next upstream speaks the client's
/// dialect and the body would otherwise be passed on as sent:
/// <list type="bullet">
/// <item>signatures are tagged with their origin (<see cref="SignatureOrigin.Mark"/>);</item>
/// <item>a Gemini-family client gets an <see cref="SignatureFamily.Unsigned"/> placeholder on calls that carry no
/// signature, so its replay to Gemini is recognised and given the Gemini 3 sentinel;</item>
/// <item>tool-call ids follow the client's own upstream's rule (<see cref="ToolCallIds"/>), which is the rule its
/// replay will meet there.</item>
/// </list>
/// </summary>
internal sealed class ReplayMarking
{
    private readonly SignatureFamily _origin;
    private readonly Dialect _client;
    private readonly bool _placeholders;

    private ReplayMarking(SignatureFamily origin, Dialect client)
    {
        _origin = origin;
        _client = client;
        _placeholders = client is Dialect.Gemini or Dialect.GeminiCodeAssist;
    }

    /// <summary>Null when the answer reaches a client of its own family (nothing to mark).</summary>
    public static ReplayMarking? For(Dialect upstream, Dialect client)
    {
        var origin = SignatureOrigin.FamilyOf(upstream);
        return origin == SignatureOrigin.FamilyOf(client) ? null : new ReplayMarking(origin, client);
    }

    public IrResponse Mark(IrResponse response)
    {
        ImmutableArray<IrPart>.Builder? parts = null;
        for (int i = 0; i < response.Parts.Length; i++)
        {
            var part = response.Parts[i];
            var marked = part switch
            {
                IrReasoning { Signature.Length: > 0 } r => r with { Signature = SignatureOrigin.Mark(r.Signature, _origin) },
                IrToolCall c => Call(c),
                _ => part,
            };
            if (parts is null && ReferenceEquals(marked, part))
            {
                continue;
            }

            if (parts is null)
            {
                parts = ImmutableArray.CreateBuilder<IrPart>(response.Parts.Length);
                parts.AddRange(response.Parts, i);
            }

            parts.Add(marked);
        }

        return parts is null ? response : response with { Parts = parts.MoveToImmutable() };
    }

    public IrStreamEvent Mark(IrStreamEvent e) => e switch
    {
        IrReasoningSignature s => s with { Signature = SignatureOrigin.Mark(s.Signature, _origin)! },
        IrToolCallStart c => c with { Id = ToolCallIds.For(_client, c.Id), Signature = CallSignature(c.Signature) },
        _ => e,
    };

    private IrToolCall Call(IrToolCall c)
    {
        string id = ToolCallIds.For(_client, c.Id);
        string? signature = CallSignature(c.Signature);
        return ReferenceEquals(id, c.Id) && ReferenceEquals(signature, c.Signature) ? c : c with { Id = id, Signature = signature };
    }

    private string? CallSignature(string? signature) =>
        signature is { Length: > 0 } ? SignatureOrigin.Mark(signature, _origin)
        : _placeholders ? SignatureOrigin.UnsignedPlaceholder
        : signature;
}
