using System.Net;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Keeps web pages from driving the gateway through the user's browser (docs/security.md): a <c>Host</c> that is not
/// this gateway's is 421 (DNS rebinding), a foreign <c>Origin</c> is 403 unless <c>security.allowed-origins</c> lists it
/// (cross-site requests and WebSocket hijacking), and an LLM POST must say its body is JSON, which a browser cannot
/// send cross-site without a CORS preflight (415 otherwise). SDKs, CLIs and curl send no <c>Origin</c> and a JSON content
/// type, so they never notice.
/// </summary>
internal sealed class BrowserGuardMiddleware(RequestDelegate next, GatewayConfigStore config, RelayToken relay, Telemetry.GatewayMetrics metrics, ILogger<BrowserGuardMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (ClientKeyHandler.IsRelayFromThisProcess(context, relay))
        {
            return next(context);
        }

        var options = config.Current.Options;
        var error = CheckHost(context, options) ?? CheckOrigin(request, options) ?? CheckContentType(context);
        if (error is null)
        {
            return next(context);
        }

        Log.ClientRejected(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", error.Code);
        metrics.Rejected(error.Code);
        return ApiErrorWriter.WriteAsync(context, error);
    }

    /// <summary>
    /// Probes and scrapers (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>) use whatever name the platform gives them;
    /// management does not: a rebinding page would otherwise be same-origin there.
    /// </summary>
    private static ApiError? CheckHost(HttpContext context, LlmMuxOptions options)
        => ServiceEndpoint.Is(context, ServiceEndpoint.Probe) || IsAllowedHost(context.Request.Host.Host, options) ? null : ApiError.MisdirectedHost(context.Request.Host.Host);

    private static ApiError? CheckOrigin(HttpRequest request, LlmMuxOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            // No Origin but a browser's own word that the request is cross-site (e.g. a GET from a foreign page).
            return request.Headers.TryGetValue("Sec-Fetch-Site", out var site) && site == "cross-site" && !AllowsAnyOrigin(options)
                ? ApiError.ForeignOrigin("a cross-site page")
                : null;
        }

        return IsSameOrigin(origin, request) || IsAllowedOrigin(origin, options) ? null : ApiError.ForeignOrigin(origin);
    }

    /// <summary>LLM routes read JSON; the management API has its own secret, which a browser cannot send without a preflight.</summary>
    private static ApiError? CheckContentType(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.ContentLength == 0 || ServiceEndpoint.Is(context, ServiceEndpoint.Management))
        {
            return null;
        }

        // ASP.NET Core's own test: application/json or any application/*+json, whatever the charset.
        return request.HasJsonContentType() ? null : ApiError.NotJson(request.ContentType);
    }

    internal static bool IsAllowedHost(string host, LlmMuxOptions options)
    {
        if (host.Length == 0)
        {
            return false; // HTTP/1.1 requires Host; HTTP/1.0 callers without one are not browsers worth supporting
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (bare.Equals("localhost", StringComparison.OrdinalIgnoreCase) || bare.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || bare.Equals(options.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(bare, out var address))
        {
            // DNS rebinding needs a name; an address literal is only ever typed by someone who means this machine.
            // Bound to one address, only that one and loopback are this gateway; bound to all, any literal is.
            return IPAddress.IsLoopback(address) || IsWildcard(options.Host);
        }

        foreach (var allowed in options.Security.AllowedHosts)
        {
            if (allowed.StartsWith("*.", StringComparison.Ordinal)
                ? bare.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
                : bare.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "::" or "[::]";

    /// <summary>A page served by this gateway itself (the dashboard) calling back to it; the Host check vouches for the name.</summary>
    private static bool IsSameOrigin(string origin, HttpRequest request)
        => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    internal static bool IsAllowedOrigin(string origin, LlmMuxOptions options)
    {
        foreach (var allowed in options.Security.AllowedOrigins)
        {
            if (allowed == "*" || string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllowsAnyOrigin(LlmMuxOptions options) => options.Security.AllowedOrigins.Contains("*");
}
