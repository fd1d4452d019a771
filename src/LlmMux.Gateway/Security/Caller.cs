using System.Net;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Whether a caller is on this machine. A loopback peer is not enough: a reverse proxy or tunnel on the same host
/// (nginx, Caddy, cloudflared, ngrok, tailscale serve) connects from 127.0.0.1 on behalf of anyone, so a request that
/// carries any forwarding header counts as remote for the no-key, loopback-only and management rules.
/// </summary>
internal static class Caller
{
    private static readonly string[] ForwardingHeaders =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "Via",
        "CF-Connecting-IP", "True-Client-IP", "X-Client-IP", "Fastly-Client-IP", "X-Cluster-Client-IP",
    ];

    /// <summary>Loopback peer and no sign of having come through a proxy.</summary>
    public static bool IsLocal(HttpContext context) => IsLoopback(context.Connection.RemoteIpAddress) && !IsForwarded(context.Request);

    /// <summary>Null counts as loopback: only TestServer and unix sockets give no address, and neither is configured.</summary>
    public static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address);

    public static bool IsForwarded(HttpRequest request)
    {
        foreach (var name in ForwardingHeaders)
        {
            if (request.Headers.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }
}
