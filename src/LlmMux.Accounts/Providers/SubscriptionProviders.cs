using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Accounts.Providers.Claude;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Providers.Copilot;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Providers.Vertex;

namespace LlmMux.Accounts.Providers;

/// <summary>
/// Every subscription provider, one line each. Types and aliases are matched case-insensitively; an unknown type finds
/// nothing (<see cref="Find"/>) or fails loudly (<see cref="Get"/>), never another provider's flow.
/// </summary>
public sealed class SubscriptionProviders
{
    /// <summary>The providers this build knows.</summary>
    public static SubscriptionProviders Default { get; } = new(
    [
        new ClaudeProvider(),
        new CodexProvider(),
        new GeminiProvider(),
        new CopilotProvider(),
        new AntigravityProvider(),
        new VertexProvider(),
    ]);

    private readonly Dictionary<string, SubscriptionProvider> _byName;

    private SubscriptionProviders(IReadOnlyList<SubscriptionProvider> providers)
    {
        Providers = providers;
        _byName = new Dictionary<string, SubscriptionProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers)
        {
            foreach (var name in provider.Aliases.Prepend(provider.FileType).Prepend(provider.Type))
            {
                if (!_byName.TryAdd(name, provider) && !ReferenceEquals(_byName[name], provider))
                {
                    throw new InvalidOperationException($"Two subscription providers claim the type '{name}'.");
                }
            }
        }

        All = providers;
        Types = providers.Select(p => p.Type).ToArray();
    }

    /// <summary>Every provider, in the order logins and help list them.</summary>
    public IReadOnlyList<ISubscriptionProvider> All { get; }

    /// <summary>The canonical types (<c>claude</c>, <c>codex</c>, …).</summary>
    public IReadOnlyList<string> Types { get; }

    internal IReadOnlyList<SubscriptionProvider> Providers { get; }

    /// <summary>The provider of a type or alias (a file's <c>type</c>, a CLI argument); null when there is none.</summary>
    public ISubscriptionProvider? Find(string? type) => Resolve(type);

    /// <summary>The provider of a type or alias; throws when there is none.</summary>
    public ISubscriptionProvider Get(string type) => Require(type);

    /// <summary>The built-in OAuth settings of a type; throws for a type no provider has.</summary>
    public OAuthSettings DefaultOAuth(string type) => Require(type).DefaultOAuth;

    internal SubscriptionProvider? Resolve(string? type) =>
        type is not null && _byName.TryGetValue(type.Trim(), out var provider) ? provider : null;

    internal SubscriptionProvider Require(string type) =>
        Resolve(type) ?? throw new ArgumentException($"Unknown subscription provider type '{type}' (expected one of {string.Join(", ", Types)}).", nameof(type));
}
