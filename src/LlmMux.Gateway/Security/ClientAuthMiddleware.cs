using System.Net;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Lets an API call through only with a configured client key. With no keys configured, only loopback callers get
/// in (unless <c>allow-unauthenticated-remote</c>). Health, metrics and management have their own rules.
/// </summary>
internal sealed class ClientAuthMiddleware(RequestDelegate next, GatewayConfigStore config, ILogger<ClientAuthMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (IsServicePath(context.Request.Path) || (IsCodeAssistPath(context.Request.Path) && IsLoopback(context.Connection.RemoteIpAddress)))
        {
            // The Gemini CLI authenticates with its own Google token, which is no llm-mux key; loopback is the guard there.
            return next(context);
        }

        var snapshot = config.Current;
        var error = Check(context, snapshot);
        if (error is null)
        {
            return next(context);
        }

        Log.ClientRejected(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", error.Code);
        return ApiErrorWriter.WriteAsync(context, DialectDetector.Detect(context.Request), error);
    }

    internal static ApiError? Check(HttpContext context, GatewaySnapshot snapshot)
    {
        if (snapshot.ClientKeyHashes.Count == 0)
        {
            return snapshot.Options.AllowUnauthenticatedRemote || IsLoopback(context.Connection.RemoteIpAddress) ? null : ApiError.RemoteNeedsKey();
        }

        var key = ClientKeyCheck.FindKey(context.Request);
        if (key is null)
        {
            return ApiError.MissingKey();
        }

        return ClientKeyCheck.IsAccepted(snapshot, key) ? null : ApiError.WrongKey();
    }

    internal static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address);

    private static bool IsCodeAssistPath(PathString path) => path.Value?.StartsWith("/v1internal:", StringComparison.Ordinal) == true;

    internal static bool IsServicePath(PathString path)
        => path == "/healthz" || path == "/readyz" || path == "/metrics" || path.StartsWithSegments("/v0/management");
}
