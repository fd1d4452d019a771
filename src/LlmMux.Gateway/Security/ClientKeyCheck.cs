using System.Security.Cryptography;
using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>Finds the client key in any of the four places clients put it, and compares it in constant time.</summary>
internal static class ClientKeyCheck
{
    public static string? FindKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        foreach (var header in (ReadOnlySpan<string>)["x-api-key", "x-goog-api-key"])
        {
            if (request.Headers.TryGetValue(header, out var value) && !string.IsNullOrEmpty(value))
            {
                return value.ToString();
            }
        }

        return request.Query.TryGetValue("key", out var key) && !string.IsNullOrEmpty(key) ? key.ToString() : null;
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
