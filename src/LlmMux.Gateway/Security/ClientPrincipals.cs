using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace LlmMux.Gateway.Security;

/// <summary>
/// One ticket per accepted client key (by its hash) and one for keyless callers, built once: nothing downstream changes
/// a principal, and a new one per request was measurable on the proxy's hot path.
/// </summary>
/// <remarks>Only hashes of keys that were accepted land here, so the cache is bounded by the keys ever configured.</remarks>
internal sealed class ClientPrincipals
{
    private readonly AuthenticationTicket keyless = Build(null);
    private readonly ConcurrentDictionary<string, AuthenticationTicket> byHash = new(StringComparer.Ordinal);

    public AuthenticationTicket For(string? clientHash)
        => clientHash is null ? keyless : byHash.GetOrAdd(clientHash, static hash => Build(hash));

    private static AuthenticationTicket Build(string? hash)
    {
        Claim[] claims = hash is null ? [] : [new Claim(ClientKeyHandler.ClientClaim, hash)];
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, ClientKeyHandler.SchemeName)), ClientKeyHandler.SchemeName);
    }
}
