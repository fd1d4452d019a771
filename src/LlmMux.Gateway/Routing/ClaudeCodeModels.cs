using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Providers;

namespace LlmMux.Gateway.Routing;

/// <summary>
/// The extra <c>claude-*</c> names of <c>claude-code:</c> (<see cref="ClaudeCodeOptions"/>). They route like
/// <c>routing.aliases</c> (they are added to the resolver's aliases, where a name the config already routes keeps
/// its own route) and are listed only to Anthropic-shaped model-list callers, with a display name that says which
/// model of which provider answers.
/// </summary>
internal sealed class ClaudeCodeModels
{
    private static readonly ClaudeCodeModels None = new(new Dictionary<string, string>(StringComparer.Ordinal));

    private readonly Dictionary<string, string> _aliases;

    private ClaudeCodeModels(Dictionary<string, string> aliases) => _aliases = aliases;

    /// <summary>Whether <paramref name="model"/> is one of the extra names (hidden from non-Anthropic model lists).</summary>
    public bool IsAlias(string model) => _aliases.ContainsKey(model);

    /// <summary>The ids Claude Code's model picker keeps.</summary>
    public static bool HasClaudeName(string model)
        => model.StartsWith("claude", StringComparison.Ordinal) || model.StartsWith("anthropic", StringComparison.Ordinal);

    /// <summary>What a model list shows for <paramref name="model"/>: for an extra name, the real model and its provider.</summary>
    public string? DisplayName(string model, ModelResolver resolver)
        => IsAlias(model) && resolver.Resolve(model) is { Chain: [var first, ..] }
            ? $"{first.UpstreamModel} via {first.Provider.Name}"
            : null;

    /// <summary>The resolver with the extra names routed, and the extra names.</summary>
    public static (ModelResolver Resolver, ClaudeCodeModels Models) Build(IReadOnlyList<ProviderDefinition> providers, RoutingOptions routing, ClaudeCodeOptions options)
    {
        var resolver = new ModelResolver(providers, routing);
        if (options.ModelAliases.Count == 0 && options.AliasPrefix.Length == 0)
        {
            return (resolver, None);
        }

        // A routing alias resolves its target without aliases, so an extra name that points at one points past it.
        string Target(string name) => routing.Aliases.GetValueOrDefault(name, name);
        var listed = resolver.ListedModels().Select(m => m.Model).ToList();
        var taken = listed.ToHashSet(StringComparer.Ordinal);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (alias, target) in options.ModelAliases.Where(a => !taken.Contains(a.Key)))
        {
            aliases[alias] = Target(target);
        }

        if (options.AliasPrefix.Length > 0)
        {
            foreach (var model in listed.Where(m => !HasClaudeName(m)))
            {
                var alias = options.AliasPrefix + model;
                if (!taken.Contains(alias))
                {
                    aliases.TryAdd(alias, Target(model));
                }
            }
        }

        if (aliases.Count == 0)
        {
            return (resolver, None);
        }

        var merged = new Dictionary<string, string>(routing.Aliases, StringComparer.Ordinal);
        foreach (var (alias, target) in aliases)
        {
            merged.TryAdd(alias, target);
        }

        return (new ModelResolver(providers, routing with { Aliases = merged }), new ClaudeCodeModels(aliases));
    }
}
