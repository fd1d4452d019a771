using LlmMux.Accounts.Refresh;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers;

/// <summary>
/// <c>credentials: pass-through</c>: the provider has no pooled logins; each request carries its client's own upstream
/// credential in <c>Authorization: Bearer</c> (a Claude Code OAuth token, a ChatGPT access token) and its llm-mux key
/// in another header. The credential is read per attempt and never stored.
/// </summary>
internal static class PassThrough
{
    public const string Pooled = "pooled";
    public const string Mode = "pass-through";

    /// <summary>The one account of a pass-through provider: usage and metrics name <c>&lt;provider&gt;/pass-through</c>, never a token.</summary>
    public const string AccountId = "pass-through";

    /// <summary>Where a client whose Authorization header holds its upstream credential puts its llm-mux key.</summary>
    public const string ClientKeyHeader = "x-llm-mux-key";

    public static string? Bearer(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    /// <summary>A bearer some pass-through type would forward upstream, which is therefore not taken for the llm-mux key.</summary>
    public static bool IsUpstreamCredential(string bearer)
    {
        foreach (var kind in ProviderTypes.All)
        {
            if (kind.SupportsPassThrough && kind.IsClientCredential(bearer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The client's own credential for a provider of <paramref name="kind"/>, or null when the request carries none.</summary>
    public static UpstreamCredential? Find(HttpRequest request, ProviderType kind)
        => Bearer(request) is { } bearer && kind.IsClientCredential(bearer) ? kind.ClientCredential(bearer, request.Headers) : null;
}
