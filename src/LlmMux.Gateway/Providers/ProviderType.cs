using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers;

/// <summary>
/// What the gateway knows about one provider <c>type:</c> of the config: where it lives, how its accounts
/// authenticate, how to talk to it and which models it serves unlisted. One subclass per folder under
/// <c>Providers/</c>, listed once in <see cref="ProviderTypes"/>.
/// </summary>
public abstract class ProviderType
{
    /// <summary>The <c>type:</c> value in the config.</summary>
    public abstract string Type { get; }

    /// <summary>Used when the provider sets no <c>base-url</c>.</summary>
    public abstract string DefaultBaseUrl { get; }

    /// <summary>
    /// The subscription whose logins are this type's accounts; null for a key-based type, whose accounts are its
    /// <c>api-keys</c>.
    /// </summary>
    public virtual ISubscriptionProvider? Subscription => null;

    /// <summary>Accounts are the provider's <c>api-keys</c> rather than login files.</summary>
    public bool KeyBased => Subscription is null;

    /// <summary>
    /// A login type whose <c>api-keys</c>, when the provider lists any, are its accounts instead of the auth dir's
    /// logins (Vertex AI's express-mode keys).
    /// </summary>
    public virtual bool AlsoTakesApiKeys => false;

    /// <summary>A key-based type that may run with no key at all (a local OpenAI-compatible server): one keyless account.</summary>
    public virtual bool KeyOptional => false;

    /// <summary>How to talk to it: built once per type, shared by every request.</summary>
    public abstract UpstreamProtocol Protocol { get; }

    /// <summary>
    /// How to talk to it about one upstream model: <see cref="Protocol"/>, unless the type serves models of several
    /// dialects (Vertex AI: Gemini models in Gemini's, Claude models in Anthropic Messages). Read through
    /// <see cref="Routing.RouteTarget.Protocol"/>.
    /// </summary>
    public virtual UpstreamProtocol ProtocolFor(string upstreamModel) => Protocol;

    /// <summary>What it serves when its config lists no <c>models</c>.</summary>
    public abstract ModelCatalogue Catalogue { get; }

    /// <summary>Whether <see cref="Catalogue"/> describes a provider of this type at <paramref name="baseUrl"/>.</summary>
    public virtual bool CatalogueApplies(string baseUrl) => true;

    /// <summary>
    /// Where the request goes for this credential when it names its own API host (else null: the provider's
    /// <c>base-url</c>). <paramref name="baseUrl"/> is the provider's configured one.
    /// </summary>
    public virtual string? BaseUrlFor(UpstreamCredential? login, string baseUrl) => null;

    /// <summary>
    /// <see cref="BaseUrlFor(UpstreamCredential?, string)"/> for a type whose requests also depend on the provider's own
    /// settings (Vertex AI's <c>region</c> and <c>project</c>).
    /// </summary>
    public virtual string? BaseUrlFor(UpstreamCredential? login, ProviderDefinition provider) => BaseUrlFor(login, provider.BaseUrl);

    /// <summary>How this type reports an account's quota windows; null when it reports none (learned limits apply).</summary>
    public virtual QuotaReader? Quota => null;

    /// <summary>
    /// Its quota windows name the models each account is offered (Antigravity's <c>fetchAvailableModels</c>): once an
    /// account's quota is read, model lists add those of its models this provider serves to the static catalogue.
    /// </summary>
    public virtual bool ListsReportedModels => false;

    /// <summary>
    /// The key a model's quota cooldown is kept under on one account: the model itself, unless the provider shares one
    /// quota across a family (Antigravity's quota groups), where a limit hit on one model blocks the family.
    /// </summary>
    public virtual string QuotaGroup(string upstreamModel) => upstreamModel;

    /// <summary>Accepts <c>credentials: pass-through</c>: a client may bring its own login (see <see cref="PassThrough"/>).</summary>
    public virtual bool SupportsPassThrough => false;

    /// <summary>Whether a client's bearer has the shape of this type's login token (never true unless <see cref="SupportsPassThrough"/>).</summary>
    public virtual bool IsClientCredential(string bearer) => false;

    /// <summary>The upstream credential a pass-through request carries: the client's bearer and what its headers or claims add.</summary>
    public virtual UpstreamCredential ClientCredential(string bearer, Microsoft.AspNetCore.Http.IHeaderDictionary headers) => new(bearer, null);

    public override string ToString() => Type;
}
