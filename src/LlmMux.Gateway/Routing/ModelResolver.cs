using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Rules;

namespace LlmMux.Gateway.Routing;

/// <summary>Model name → provider chain, in the order of spec §6.</summary>
public sealed class ModelResolver
{
    private readonly IReadOnlyList<ProviderDefinition> _providers;
    private readonly RoutingOptions _routing;
    private readonly IReadOnlyList<(ModelGlobs Pattern, IReadOnlyList<string> Providers)> _rules;
    private readonly Dictionary<string, PoolState> _pools;
    private readonly Lazy<HashSet<string>> _listed;

    public ModelResolver(IReadOnlyList<ProviderDefinition> providers, RoutingOptions routing)
    {
        _providers = providers;
        _routing = routing;
        _rules = routing.Rules.Select(r => (ModelGlobs.Of(r.Match), (IReadOnlyList<string>)r.Providers)).ToList();
        _pools = routing.Pools.ToDictionary(p => p.Key, p => new PoolState(p.Value), StringComparer.Ordinal);
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
            // A model no account of the provider may be asked for is not offered by it.
            foreach (var m in p.ListedModels.Where(m => p.Offers(m, p.UpstreamModelFor(m))).Where(seen.Add))
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

        foreach (var (name, pool) in _pools.Where(p => seen.Add(p.Key)))
        {
            if (pool.Chain(this, rotate: false) is [var first, ..])
            {
                yield return (name, first.Provider.Name);
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

        var fallbackModel = hasSuffix ? baseModel : model;
        return FindProvider(_routing.DefaultProvider) is { } fallback && fallback.Offers(fallbackModel, fallbackModel)
            ? new ModelRoute(model, [new RouteTarget(fallback, fallbackModel)], hasSuffix ? reasoning : null)
            : null;
    }

    /// <summary>The chain for one name, without the providers whose exclusions rule it out; null when none is left.</summary>
    private List<RouteTarget>? ResolveName(string model, bool useAliases)
    {
        if (useAliases && _pools.TryGetValue(model, out var pool))
        {
            return pool.Chain(this, rotate: true);
        }

        var chain = ResolveUnfiltered(model, useAliases)?.Where(t => t.Provider.Offers(model, t.UpstreamModel)).ToList();
        return chain is { Count: > 0 } ? chain : null;
    }

    private List<RouteTarget>? ResolveUnfiltered(string model, bool useAliases)
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
            if (pattern.Matches(model))
            {
                return providers.Select(FindProvider).OfType<ProviderDefinition>()
                    .Select(p => new RouteTarget(p, p.UpstreamModelFor(model))).ToList();
            }
        }

        var listing = _providers.Where(p => p.Serves(model)).Select(p => new RouteTarget(p, p.UpstreamModelFor(model))).ToList();
        return listing.Count > 0 ? listing : null;
    }

    private ProviderDefinition? FindProvider(string name) => _providers.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// A <c>routing.pools</c> entry: its members' chains joined in order (each member resolved like a model name,
    /// aliases included), a provider and model met twice kept once. Round-robin starts each request one member on.
    /// </summary>
    private sealed class PoolState(ModelPool pool)
    {
        private int _next = -1;

        /// <param name="rotate">A request's chain moves the round-robin on; a model list's look does not.</param>
        public List<RouteTarget>? Chain(ModelResolver resolver, bool rotate)
        {
            var members = pool.Models;
            var start = rotate && pool.Strategy == RuleNames.PoolRoundRobin ? (int)((uint)Interlocked.Increment(ref _next) % (uint)members.Count) : 0;
            var chain = new List<RouteTarget>();
            for (var i = 0; i < members.Count; i++)
            {
                foreach (var target in resolver.ResolveName(members[(start + i) % members.Count], useAliases: true) ?? [])
                {
                    if (!chain.Contains(target))
                    {
                        chain.Add(target);
                    }
                }
            }

            return chain.Count > 0 ? chain : null;
        }
    }
}
