using System.Text.RegularExpressions;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Providers;

namespace LlmMux.Gateway.Routing;

/// <summary>Model name → provider chain, in the order of spec §6.</summary>
public sealed class ModelResolver
{
    private readonly IReadOnlyList<ProviderDefinition> _providers;
    private readonly RoutingOptions _routing;
    private readonly IReadOnlyList<(Regex Pattern, IReadOnlyList<string> Providers)> _rules;
    private readonly Lazy<HashSet<string>> _listed;

    public ModelResolver(IReadOnlyList<ProviderDefinition> providers, RoutingOptions routing)
    {
        _providers = providers;
        _routing = routing;
        _rules = routing.Rules.Select(r => (Glob(r.Match), (IReadOnlyList<string>)r.Providers)).ToList();
        _listed = new(() => ListedModels().Select(m => m.Model).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// The name metrics and usage totals use for a model: a listed model (or alias) as itself, a reasoning variant as its
    /// base model, anything else (a <c>provider/anything</c> pin, a glob match) as <c>other</c>, so no client-chosen
    /// string becomes a metric series or a usage key that lives for ever.
    /// </summary>
    public string LabelFor(string model)
    {
        var listed = _listed.Value;
        if (listed.Contains(model))
        {
            return model;
        }

        return ReasoningRequest.TryStrip(model, out var baseModel, out _) && listed.Contains(baseModel) ? baseModel : OtherLabel;
    }

    public const string OtherLabel = "other";

    /// <summary>Every model a client can name, with the provider that lists it (for model lists).</summary>
    public IEnumerable<(string Model, string Provider)> ListedModels()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in _providers)
        {
            foreach (var m in p.ListedModels.Where(seen.Add))
            {
                yield return (m, p.Name);
            }
        }

        foreach (var alias in _routing.Aliases.Keys.Where(seen.Add))
        {
            if (Resolve(alias) is { Chain.Count: > 0 } route)
            {
                yield return (alias, route.Chain[0].Provider.Name);
            }
        }
    }

    /// <summary>The route for <paramref name="model"/>, or null when nothing serves it.</summary>
    public ModelRoute? Resolve(string model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        // The exact name wins, so a model whose real name ends in "-high" is never mistaken for a suffix;
        // the default provider only catches what neither the exact nor the stripped name matched.
        if (ResolveName(model, useAliases: true) is { Count: > 0 } exact)
        {
            return new ModelRoute(model, exact, null);
        }

        var hasSuffix = ReasoningRequest.TryStrip(model, out var baseModel, out var reasoning);
        if (hasSuffix && ResolveName(baseModel, useAliases: true) is { Count: > 0 } stripped)
        {
            return new ModelRoute(model, stripped, reasoning);
        }

        return FindProvider(_routing.DefaultProvider) is { } fallback
            ? new ModelRoute(model, [new RouteTarget(fallback, hasSuffix ? baseModel : model)], hasSuffix ? reasoning : null)
            : null;
    }

    private List<RouteTarget>? ResolveName(string model, bool useAliases)
    {
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && FindProvider(model[..slash]) is { } pinned)
        {
            var rest = model[(slash + 1)..];
            return [new RouteTarget(pinned, pinned.UpstreamModelFor(rest))];
        }

        if (useAliases && _routing.Aliases.TryGetValue(model, out var target))
        {
            return ResolveName(target, useAliases: false);
        }

        foreach (var (pattern, providers) in _rules)
        {
            if (pattern.IsMatch(model))
            {
                return providers.Select(FindProvider).OfType<ProviderDefinition>()
                    .Select(p => new RouteTarget(p, p.UpstreamModelFor(model))).ToList();
            }
        }

        var listing = _providers.Where(p => p.Serves(model)).Select(p => new RouteTarget(p, p.UpstreamModelFor(model))).ToList();
        return listing.Count > 0 ? listing : null;
    }

    private ProviderDefinition? FindProvider(string name) => _providers.FirstOrDefault(p => p.Name == name);

    private static Regex Glob(string pattern)
        => new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
