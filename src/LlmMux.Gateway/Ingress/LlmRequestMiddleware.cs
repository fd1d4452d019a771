using System.Text.Json;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// First step of the proxy pipeline: reads and parses the body once (capped), resolves the model to a provider chain
/// and leaves an <see cref="LlmRequestFeature"/> for the failover loop, transforms and load balancer.
/// </summary>
internal sealed class LlmRequestMiddleware(RequestDelegate next, GatewayConfigStore config)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var routeId = context.GetReverseProxyFeature().Route.Config.RouteId;
        if (IngressRoute.Find(routeId) is not { } ingress)
        {
            // Hidden per-provider routes exist only as ReassignProxyRequest targets; nobody may call them directly.
            await ApiErrorWriter.WriteAsync(context, ApiDialect.OpenAI, ApiError.UnknownRoute(context.Request.Path)).ConfigureAwait(false);
            return;
        }

        var snapshot = config.Current;
        var body = await RequestBodyReader.ReadAsync(context.Request, snapshot.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.Dialect, ApiError.BodyTooLarge(snapshot.MaxRequestBodyBytes)).ConfigureAwait(false);
            return;
        }

        RequestProbe probe;
        try
        {
            probe = RequestProbe.Read(body);
        }
        catch (JsonException ex)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.Dialect, ApiError.InvalidJson(ex.Message)).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(probe.Model))
        {
            await ApiErrorWriter.WriteAsync(context, ingress.Dialect, ApiError.MissingModel()).ConfigureAwait(false);
            return;
        }

        if (snapshot.Resolver.Resolve(probe.Model) is not { Chain.Count: > 0 } route)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.Dialect, ApiError.ModelNotFound(probe.Model)).ConfigureAwait(false);
            return;
        }

        var session = SessionHeader(context.Request) ?? probe.SessionKey;
        context.Features.Set(new LlmRequestFeature(ingress, snapshot, body, probe.Model, probe.Stream, route, session));
        await next(context).ConfigureAwait(false);
    }

    /// <summary>Conversation ids clients send as headers (Codex CLI: <c>session_id</c>; others: <c>x-session-id</c>).</summary>
    private static string? SessionHeader(HttpRequest request)
    {
        foreach (var name in (ReadOnlySpan<string>)["x-session-id", "session_id", "x-conversation-id", "conversation_id"])
        {
            if (request.Headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                return value.ToString();
            }
        }

        return null;
    }
}
