using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Lets an API call through only with a configured client key, on every LLM route (the Gemini CLI's Code Assist routes
/// included: it sends the key as its access token). With no keys configured, only local callers get in (unless
/// <c>allow-unauthenticated-remote</c>), and a request that came through a proxy or tunnel is not local. Health,
/// metrics and management have their own rules.
/// </summary>
internal sealed class ClientAuthMiddleware(RequestDelegate next, GatewayConfigStore config, RelayToken relay, Telemetry.GatewayMetrics metrics, ILogger<ClientAuthMiddleware> logger)
{
    /// <summary>The <see cref="HttpContext.Items"/> key of the accepted key's hash, which names the caller's rate-limit partition.</summary>
    internal const string ClientIdItem = "llm-mux.client";

    public Task InvokeAsync(HttpContext context)
    {
        if (ServicePaths.IsService(context.Request.Path))
        {
            return next(context);
        }

        var snapshot = config.Current;
        var error = Check(context, snapshot, relay);
        if (error is null)
        {
            return next(context);
        }

        Log.ClientRejected(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", error.Code);
        metrics.Rejected(error.Code);
        return ApiErrorWriter.WriteAsync(context, error);
    }

    internal static ApiError? Check(HttpContext context, GatewaySnapshot snapshot, RelayToken? relay = null)
    {
        if (snapshot.ClientKeyHashes.Count == 0)
        {
            // A frame relayed by the Responses WebSocket was judged as the upgrade request, which got here the same way.
            if (snapshot.Options.AllowUnauthenticatedRemote || Caller.IsLocal(context) || IsRelayFromThisProcess(context, relay))
            {
                return null;
            }

            return Caller.IsLoopback(context.Connection.RemoteIpAddress) ? ApiError.ForwardedNeedsKey() : ApiError.RemoteNeedsKey();
        }

        var key = ClientKeyCheck.FindKey(context.Request);
        if (key is null)
        {
            return ApiError.MissingKey();
        }

        if (!ClientKeyCheck.IsAccepted(snapshot, key, out var hash))
        {
            return ApiError.WrongKey();
        }

        context.Items[ClientIdItem] = Convert.ToHexStringLower(hash);
        return null;
    }

    /// <summary>The relay connects to the bound address, which is not loopback when <c>host</c> is a LAN address.</summary>
    internal static bool IsRelayFromThisProcess(HttpContext context) => IsRelayFromThisProcess(context, null);

    /// <param name="relay">This host's token; null looks it up in the request's services.</param>
    internal static bool IsRelayFromThisProcess(HttpContext context, RelayToken? relay)
        => (relay ?? context.RequestServices?.GetService<RelayToken>()) is { } token && token.IsRelayed(context.Request)
            && (Caller.IsLoopback(context.Connection.RemoteIpAddress) || Equals(context.Connection.RemoteIpAddress, context.Connection.LocalIpAddress));
}
