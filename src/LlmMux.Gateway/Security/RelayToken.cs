using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>
/// The Responses WebSocket relays each frame as an HTTP request to this same process. The relayed request is marked
/// with a random token of this host (a DI singleton) so it keeps the verdict of the upgrade request (which passed the
/// client, host and origin checks) instead of being judged again as a keyless loopback call.
/// </summary>
internal sealed class RelayToken
{
    public const string HeaderName = "x-llm-mux-relay";

    private readonly byte[] _token;

    public RelayToken()
    {
        Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _token = Encoding.ASCII.GetBytes(Value);
    }

    public string Value { get; }

    public bool IsRelayed(HttpRequest request)
        => request.Headers.TryGetValue(HeaderName, out var given) && given.Count == 1
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given.ToString()), _token);
}
