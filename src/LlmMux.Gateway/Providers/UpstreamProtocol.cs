using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers;

/// <summary>
/// How to talk to one provider type: its wire dialect, endpoint paths and how an account's credential is sent.
/// Paths are relative to the provider's <c>base-url</c>.
/// </summary>
public abstract class UpstreamProtocol
{
    public abstract Dialect Dialect { get; }

    /// <summary>The upstream reads the model from the body (else from the path).</summary>
    public virtual bool ModelInBody => true;

    public abstract PathString GeneratePath(string model, bool stream);

    /// <summary>The native token-count endpoint, or null when the provider has none (llm-mux then estimates).</summary>
    public virtual PathString? CountTokensPath(string model) => null;

    /// <summary>
    /// The native counter also counts for clients of other dialects: its body is the one encoded from the IR for
    /// this dialect (with <see cref="CountTokensOverrides"/>), and its number is read back into the client's shape.
    /// Otherwise only a caller of this dialect reaches it and the others get llm-mux's own count.
    /// </summary>
    public virtual bool CountsTokensForEveryDialect => false;

    /// <summary>What a body for <see cref="CountTokensPath"/> needs (the counter's own fields); by default what a
    /// generate body needs.</summary>
    public virtual RequestOverrides CountTokensOverrides(RequestOverrides request, UpstreamCredential? login) => BodyOverrides(request, login, stream: false);

    /// <summary>What the client's own request headers add to the body this upstream receives (Vertex takes
    /// Anthropic's betas in the body, not as a header); by default nothing.</summary>
    public virtual RequestOverrides ClientHeaderOverrides(RequestOverrides request, IHeaderDictionary clientHeaders) => request;

    /// <summary>
    /// Where this upstream serves an operation beyond chat (<see cref="IngressKind.Embeddings"/>,
    /// <see cref="IngressKind.ImageGeneration"/>, <see cref="IngressKind.Compaction"/>), in the shape of its dialect's
    /// API family; null when it has none: such a provider is left out of the chain, and a client whose model only it
    /// serves gets a 400 saying so (no account is tried or cooled).
    /// </summary>
    public virtual PathString? OperationPath(IngressKind operation, string model) => null;

    public virtual void SetQuery(IDictionary<string, Microsoft.Extensions.Primitives.StringValues> query, bool stream)
    {
        if (stream && StreamsWithAltSse)
        {
            query["alt"] = "sse";
        }
    }

    /// <summary>Google's APIs stream as SSE only when asked with <c>?alt=sse</c> (else a JSON array).</summary>
    protected virtual bool StreamsWithAltSse => false;

    /// <summary>Puts the account's credential on the request: its API key, or the token of its login.</summary>
    public abstract void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login);

    /// <summary>The upstream only streams; a non-streaming client is served by collecting the stream (codex).</summary>
    public virtual bool AlwaysStreams => false;

    /// <summary>What this upstream needs in every body it receives (an identity system prompt, forced or rejected
    /// fields, the account's project), declared as overrides the translator applies in its one pass over the body.</summary>
    public virtual RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) => request;

    /// <summary>
    /// A 2xx answer that is not the API's (a text page instead of JSON or SSE) read as what it says: a refusal of the
    /// client llm-mux presents (an outdated client version), as the message the client gets; null when it is not one.
    /// Only text pages (<c>text/*</c> but not SSE) are read, and only when this is overridden.
    /// </summary>
    public virtual string? RefusedClient(string body) => null;

    /// <summary>Whether <see cref="RefusedClient"/> is overridden (the success bodies of others are never read).</summary>
    public virtual bool RefusesClientWithSuccess => false;

    /// <summary>
    /// An error message meaning the upstream will never again serve this account through this type (a retired plan),
    /// read as the reason the account is marked retired with (what happened, and what to do instead); null otherwise.
    /// </summary>
    public virtual string? RetiredAccount(int status, string detail) => null;

    /// <summary>Whether <see cref="RetiredAccount"/> is overridden (a 400's body is then read for it too).</summary>
    public virtual bool RetiresAccounts => false;

    /// <summary>Client headers this upstream understands and may receive as they are.</summary>
    public virtual IReadOnlyList<string> PassThroughHeaders => [];

    /// <summary>
    /// A login's token as a Bearer, with the client's User-Agent replaced by the identity the upstream expects (the
    /// official client's, taken from the Accounts provider that logs it in).
    /// </summary>
    protected static void SetBearerAs(HttpRequestHeaders headers, string? token, IReadOnlyList<KeyValuePair<string, string>> identity)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        headers.UserAgent.Clear();
        foreach (var (name, value) in identity)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
