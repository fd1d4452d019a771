using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Providers;

/// <summary>A configured provider as the gateway runs it: one YARP cluster.</summary>
public sealed record ProviderDefinition(
    string Name,
    ProviderType Kind,
    string BaseUrl,
    IReadOnlyList<UpstreamAccount> Accounts,
    IReadOnlyList<ModelEntry> Models,
    IReadOnlyDictionary<string, string> Headers,
    string Strategy)
{
    /// <summary>The upstream name for a client-facing model name (alias → name), or the name itself.</summary>
    public string UpstreamModelFor(string clientModel)
        => Models.FirstOrDefault(m => m.ClientName == clientModel)?.Name ?? clientModel;

    /// <summary>Listed in <c>models</c>, or, when nothing is listed, in the known catalogue of the type.</summary>
    public bool Serves(string clientModel) => Models.Any(m => m.ClientName == clientModel) || (UsesCatalogue && Kind.Catalogue.Serves(clientModel));

    /// <summary>The names this provider shows in model lists.</summary>
    public IEnumerable<string> ListedModels => Models.Count > 0 ? Models.Select(m => m.ClientName) : UsesCatalogue ? Kind.Catalogue.Known : [];

    /// <summary>Its <c>region</c> (Vertex AI), when set.</summary>
    public string? Region { get; init; }

    /// <summary>Its <c>project</c> (Vertex AI), when set: overrides the project of the account's key.</summary>
    public string? Project { get; init; }

    /// <summary>Its <c>excluded-models</c>: never asked of any of its accounts.</summary>
    public Rules.ModelGlobs Excluded { get; init; } = Rules.ModelGlobs.None;

    /// <summary>
    /// Not excluded here, and some account may be asked for it (a provider whose accounts are not known yet, a
    /// subscription before its first login, counts as able).
    /// </summary>
    public bool Offers(string clientModel, string upstreamModel)
        => !Excluded.MatchesEither(clientModel, upstreamModel)
           && (Accounts.Count == 0 || Accounts.Any(a => !a.Excluded.MatchesEither(clientModel, upstreamModel)));

    /// <summary>How to talk to this provider (its type's protocol).</summary>
    public UpstreamProtocol Protocol => Kind.Protocol;

    /// <summary>Nothing is listed, and the type's catalogue describes this provider's server.</summary>
    private bool UsesCatalogue => Models.Count == 0 && Kind.CatalogueApplies(BaseUrl);
}

/// <summary>
/// One account of a provider: one YARP destination. <see cref="DestinationId"/> is stable for the same key across
/// reloads, so health and cooldown state survive an edit of the file. The secret never goes into YARP metadata.
/// </summary>
/// <param name="Provider">Provider name.</param>
/// <param name="Id">Account id: <c>key-&lt;hash&gt;</c> for keys, the account file's name for subscription accounts.</param>
/// <param name="ApiKey">The key, for key-based providers.</param>
/// <param name="LoginAccountId">The auth-dir account, for subscription providers; its token comes from the credential service.</param>
public sealed record UpstreamAccount(string Provider, string Id, string? ApiKey, string? LoginAccountId = null)
{
    public string DestinationId => $"{Provider}/{Id}";

    /// <summary>
    /// Stands for every client of a <c>credentials: pass-through</c> provider: the credential is the request's own, so
    /// nothing learned on one request (a 401, a rate limit) is held against the next.
    /// </summary>
    public bool PassThrough { get; init; }

    /// <summary>Models this account is never asked for: its provider's <c>accounts:</c> entry.</summary>
    public Rules.ModelGlobs Excluded { get; init; } = Rules.ModelGlobs.None;

    public override string ToString() => DestinationId;

    /// <summary>Never prints the key.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("DestinationId = ").Append(DestinationId);
        return true;
    }
}
