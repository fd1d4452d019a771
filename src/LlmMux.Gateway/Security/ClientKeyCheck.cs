using System.Security.Cryptography;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Providers;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>Finds the client key in any of the places clients put it, and compares it in constant time.</summary>
/// <remarks>
/// <c>x-llm-mux-key</c> wins; a bearer shaped like an upstream login (a Claude OAuth token, a ChatGPT JWT) is the
/// client's credential for a pass-through provider, so the key is looked for elsewhere first. Only when there is
/// none is that bearer tried as the key (a deployment whose own keys are JWTs keeps working).
/// </remarks>
internal static class ClientKeyCheck
{
    public static string? FindKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(PassThrough.ClientKeyHeader, out var own) && !string.IsNullOrEmpty(own))
        {
            return own.ToString();
        }

        if (PassThrough.Bearer(request) is { } bearer && !PassThrough.IsUpstreamCredential(bearer))
        {
            return bearer;
        }

        foreach (var header in (ReadOnlySpan<string>)["x-api-key", "x-goog-api-key"])
        {
            if (request.Headers.TryGetValue(header, out var value) && !string.IsNullOrEmpty(value))
            {
                return value.ToString();
            }
        }

        return request.Query.TryGetValue("key", out var key) && !string.IsNullOrEmpty(key) ? key.ToString() : PassThrough.Bearer(request);
    }

    public static bool IsAccepted(GatewaySnapshot snapshot, string key) => IsAccepted(snapshot, key, out _);

    public static bool IsAccepted(GatewaySnapshot snapshot, string key, out byte[] hash)
    {
        hash = GatewaySnapshot.HashKey(key);
        var accepted = false;
        foreach (var known in snapshot.ClientKeyHashes)
        {
            // No early exit: the time taken does not tell which key (or how much of one) matched.
            accepted |= CryptographicOperations.FixedTimeEquals(hash, known);
        }

        return accepted;
    }
}
