using System.Security.Cryptography;
using System.Text;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Routing;

namespace LlmMux.Gateway.Configuration;

/// <summary>
/// One validated config, turned into what requests need: providers with their accounts, the model resolver and the
/// hashed client keys. Immutable; a reload builds a new one and swaps it in whole.
/// </summary>
public sealed class GatewaySnapshot
{
    private readonly Dictionary<string, UpstreamAccount> _accounts;

    public GatewaySnapshot(LlmMuxOptions options, int revision, IReadOnlyList<Account>? loginAccounts = null)
    {
        Options = options;
        Revision = revision;
        Providers = options.Providers
            .Select(p => BuildProvider(p, loginAccounts ?? []))
            .ToList();
        _accounts = Providers.SelectMany(p => p.Accounts).ToDictionary(a => a.DestinationId, StringComparer.Ordinal);
        ClientKeyHashes = options.ApiKeys.Select(HashKey).ToList();
        Sessions = new Ingress.SessionSources(options.Routing.SessionSources);
        (Resolver, ClaudeCode) = ClaudeCodeModels.Build(Providers, options.Routing, options.ClaudeCode);
        Payload = Rules.PayloadRules.Build(options.Payload);
        ErrorRules = Rules.ErrorRules.Build(options.ErrorRules);
    }

    /// <summary>The config's payload rules, compiled.</summary>
    public Rules.PayloadRules Payload { get; }

    /// <summary>The config's error rules, tried before the built-in classification.</summary>
    public Rules.ErrorRules ErrorRules { get; }

    public LlmMuxOptions Options { get; }

    public int Revision { get; }

    public IReadOnlyList<ProviderDefinition> Providers { get; }

    public ModelResolver Resolver { get; }

    /// <summary>The <c>claude-*</c> names offered to Anthropic-shaped model-list callers (<c>claude-code:</c>).</summary>
    internal ClaudeCodeModels ClaudeCode { get; }

    /// <summary>Where a request's conversation id is read (<c>routing.session-sources</c>).</summary>
    internal Ingress.SessionSources Sessions { get; }

    /// <summary>SHA-256 of each client key, compared in constant time (<see cref="Security.ClientKeyCheck"/>).</summary>
    public IReadOnlyList<byte[]> ClientKeyHashes { get; }

    public long MaxRequestBodyBytes => Options.Limits.MaxRequestBodyMb * 1024L * 1024L;

    public UpstreamAccount? FindAccount(string destinationId) => _accounts.GetValueOrDefault(destinationId);

    public static byte[] HashKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static ProviderDefinition BuildProvider(ProviderOptions p, IReadOnlyList<Account> loginAccounts)
    {
        var kind = ProviderTypes.Get(p.Type);
        List<UpstreamAccount> accounts = p.Credentials == PassThrough.Mode
            // Each request brings its own login: one account stands for all of them, and no token is kept.
            ? [new UpstreamAccount(p.Name, PassThrough.AccountId, null) { PassThrough = true, Excluded = Rules.AccountExclusions.For(p, PassThrough.AccountId) }]
            : kind.Subscription is { } subscription && !(kind.AlsoTakesApiKeys && p.ApiKeys.Count > 0)
            // Subscription accounts come from the auth dir: every usable login of this type is an account of the provider.
            ? loginAccounts.Where(a => a.Type == subscription.Type && a.State == AccountState.Ready)
                .Select(a => new UpstreamAccount(p.Name, a.Id, null, a.Id) { Excluded = Rules.AccountExclusions.For(p, a.Id, a.Label, a.Identity) }).ToList()
            : p.ApiKeys.Count == 0
                ? [new UpstreamAccount(p.Name, "keyless", null) { Excluded = Rules.AccountExclusions.For(p, "keyless") }]
                : p.ApiKeys.Distinct().Select(k => new UpstreamAccount(p.Name, AccountIdFor(k), k) { Excluded = Rules.AccountExclusions.For(p, AccountIdFor(k)) }).ToList();
        var baseUrl = (p.BaseUrl ?? kind.DefaultBaseUrl).TrimEnd('/');
        return new ProviderDefinition(p.Name, kind, baseUrl, accounts, p.Models, p.Headers, p.Strategy) { Excluded = Rules.ModelGlobs.Of(p.ExcludedModels), Region = p.Region, Project = p.Project };
    }

    /// <summary>A short, stable, non-reversible id for a key: "key-" and 8 hex digits of its hash.</summary>
    internal static string AccountIdFor(string key) => KeyIdOfHash(Convert.ToHexStringLower(HashKey(key)));

    /// <summary>The same id from the key's hash in lower-case hex (what a caller's principal carries).</summary>
    internal static string KeyIdOfHash(string hexHash) => "key-" + hexHash[..8];
}
