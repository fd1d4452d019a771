using System.Collections.Immutable;
using LlmMux.Translation;

namespace LlmMux.Gateway.Rules;

/// <summary>
/// <c>payload:</c> compiled once per config: each rule's globs and its edits, ready to join the overrides the
/// translator applies in its one pass. A request no rule matches gets its overrides back unchanged, so it costs a few
/// glob checks and no allocation.
/// </summary>
public sealed class PayloadRules
{
    private readonly Rule[] _rules;

    private PayloadRules(Rule[] rules) => _rules = rules;

    public static PayloadRules None { get; } = new([]);

    /// <summary>Defaults first, then overrides, then filters, each in file order: a later edit of a path wins.</summary>
    public static PayloadRules Build(PayloadOptions options)
    {
        if (options.IsEmpty)
        {
            return None;
        }

        var rules = options.Default.Select(r => Compile(r, PayloadEditKind.Default))
            .Concat(options.Override.Select(r => Compile(r, PayloadEditKind.Override)))
            .Concat(options.Filter.Select(r => Compile(r, PayloadEditKind.Remove)))
            .ToArray();
        return new PayloadRules(rules);
    }

    /// <summary><paramref name="overrides"/> with the edits of every rule that matches this attempt.</summary>
    public RequestOverrides Apply(RequestOverrides overrides, string clientModel, string upstreamModel, Dialect inbound, string upstreamType)
    {
        ImmutableArray<PayloadEdit>.Builder? joined = null;
        ImmutableArray<PayloadEdit> only = default;
        foreach (var rule in _rules)
        {
            if (!rule.Matches(clientModel, upstreamModel, inbound, upstreamType))
            {
                continue;
            }

            if (only.IsDefault)
            {
                only = rule.Edits;
                continue;
            }

            joined ??= ImmutableArray.CreateBuilder<PayloadEdit>();
            if (joined.Count == 0)
            {
                joined.AddRange(only);
            }

            joined.AddRange(rule.Edits);
        }

        var edits = joined?.ToImmutable() ?? only;
        if (edits.IsDefault)
        {
            return overrides;
        }

        return overrides with { PayloadEdits = overrides.PayloadEdits.IsDefaultOrEmpty ? edits : overrides.PayloadEdits.AddRange(edits) };
    }

    private static Rule Compile(PayloadRule rule, PayloadEditKind kind) => new(
        ModelGlobs.Of(rule.Models),
        [.. rule.Inbound],
        [.. rule.Upstream],
        [.. rule.Params.Select(p => new PayloadEdit(kind, BodyPath.Parse(p.Path, out _)!, p.Json))]);

    /// <param name="Models">Empty: any model.</param>
    private sealed record Rule(ModelGlobs Models, string[] Inbound, string[] Upstream, ImmutableArray<PayloadEdit> Edits)
    {
        public bool Matches(string clientModel, string upstreamModel, Dialect inbound, string upstreamType)
            => (Upstream.Length == 0 || Array.IndexOf(Upstream, upstreamType) >= 0)
               && (Inbound.Length == 0 || Array.IndexOf(Inbound, RuleNames.Inbound(inbound)) >= 0)
               && (Models.IsEmpty || Models.MatchesEither(clientModel, upstreamModel));
    }
}
