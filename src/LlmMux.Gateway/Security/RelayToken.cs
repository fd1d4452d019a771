using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>
/// The Responses WebSocket relays each frame as an HTTP request to this same process. The relayed request is marked
/// with a per-process random token so it keeps the verdict of the upgrade request (which passed the client, host and
/// origin checks) instead of being judged again as a keyless loopback call.
/// </summary>
internal static class RelayToken
{
    public const string HeaderName = "x-llm-mux-relay";

    private static readonly byte[] Token = RandomNumberGenerator.GetBytes(32);

    public static string Value { get; } = Convert.ToBase64String(Token);

    public static bool IsRelayed(HttpRequest request)
        => request.Headers.TryGetValue(HeaderName, out var given) && given.Count == 1
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given.ToString()), Encoding.ASCII.GetBytes(Value));
}
