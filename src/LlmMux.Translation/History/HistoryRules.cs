using System.Collections.Immutable;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.History;

/// <summary>
/// Makes a conversation's history acceptable to the upstream it is about to be sent to, whichever providers answered
/// its earlier turns (a failover, a model switch, a pool). One pure IR → IR pass keyed by the target dialect, run
/// before encoding, so the encoders only ever see history their upstream can verify:
/// <list type="bullet">
/// <item>a signature the target can verify is sent as the upstream issued it (its provenance tag removed);</item>
/// <item>a signature it cannot (another family's, <see cref="SignatureOrigin"/>) is removed, and the reasoning is
/// then what unsigned reasoning is for that target (drop table: Anthropic and Responses drop it, Gemini and OpenAI
/// Chat keep the text); a part left with neither text nor signature is dropped;</item>
/// <item>Anthropic redacted thinking reaches Anthropic only, and only when it came from there;</item>
/// <item>an empty signature, or the <see cref="SignatureFamily.Unsigned"/> placeholder, counts as none;</item>
/// <item>tool-call ids are rewritten where the target's rule refuses them (<see cref="ToolCallIds"/>).</item>
/// </list>
/// What the encoders then add on top (Gemini 3's signature sentinel, thinking switched off for an Anthropic tool
/// loop left without signed thinking) follows from the history this pass leaves. A history that needs nothing is
/// returned as the same instance.
/// </summary>
internal static class HistoryRules
{
    public static IrRequest ForTarget(IrRequest r, Dialect target)
    {
        var family = SignatureOrigin.FamilyOf(target);
        var untagged = r.Source is { } source ? SignatureOrigin.FamilyOf(source) : family;
        ImmutableArray<IrMessage>.Builder? messages = null;
        for (int i = 0; i < r.Messages.Length; i++)
        {
            var m = r.Messages[i];
            var parts = MapParts(m.Parts, target, family, untagged);
            if (messages is null && parts == m.Parts)
            {
                continue;
            }

            if (messages is null)
            {
                messages = ImmutableArray.CreateBuilder<IrMessage>(r.Messages.Length);
                for (int j = 0; j < i; j++)
                {
                    messages.Add(r.Messages[j]);
                }
            }

            messages.Add(parts == m.Parts ? m : m with { Parts = parts });
        }

        return messages is null ? r : r with { Messages = messages.MoveToImmutable() };
    }

    private static ImmutableArray<IrPart> MapParts(ImmutableArray<IrPart> parts, Dialect target, SignatureFamily family, SignatureFamily untagged)
    {
        ImmutableArray<IrPart>.Builder? mapped = null;
        for (int i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var next = MapPart(part, target, family, untagged);
            if (mapped is null && ReferenceEquals(next, part))
            {
                continue;
            }

            if (mapped is null)
            {
                mapped = ImmutableArray.CreateBuilder<IrPart>(parts.Length);
                for (int j = 0; j < i; j++)
                {
                    mapped.Add(parts[j]);
                }
            }

            if (next is not null)
            {
                mapped.Add(next);
            }
        }

        return mapped is null ? parts : mapped.ToImmutable();
    }

    /// <summary>The part as <paramref name="target"/> may receive it; the same instance when unchanged, null to drop it.</summary>
    private static IrPart? MapPart(IrPart part, Dialect target, SignatureFamily family, SignatureFamily untagged)
    {
        switch (part)
        {
            case IrReasoning { RedactedData: not null }:
                return family == SignatureFamily.Anthropic && untagged == SignatureFamily.Anthropic ? part : null;
            case IrReasoning { Signature.Length: 0 } unsigned:
                // An empty signature is none (some encoders write "" for thinking that had none).
                return unsigned.Text.Length == 0 ? null : unsigned with { Signature = null };
            case IrReasoning { Signature: { Length: > 0 } signature } reasoning:
                var kept = Verifiable(signature, family, untagged);
                if (ReferenceEquals(kept, signature))
                {
                    return part;
                }

                return kept is null && reasoning.Text.Length == 0 ? null : reasoning with { Signature = kept };
            case IrToolCall call:
                string id = ToolCallIds.For(target, call.Id);
                string? callSignature = call.Signature is { Length: > 0 } s ? Verifiable(s, family, untagged) : null;
                return ReferenceEquals(id, call.Id) && ReferenceEquals(callSignature, call.Signature)
                    ? part
                    : call with { Id = id, Signature = callSignature };
            case IrToolResult result:
                string resultId = ToolCallIds.For(target, result.ToolCallId);
                return ReferenceEquals(resultId, result.ToolCallId) ? part : result with { ToolCallId = resultId };
            default:
                return part;
        }
    }

    /// <summary>The upstream's own value of a signature the target can verify, else null.</summary>
    private static string? Verifiable(string signature, SignatureFamily family, SignatureFamily untagged)
    {
        var (origin, value) = SignatureOrigin.Read(signature, untagged);
        return origin == family && family is not (SignatureFamily.None or SignatureFamily.Unsigned) && value.Length > 0 ? value : null;
    }
}
