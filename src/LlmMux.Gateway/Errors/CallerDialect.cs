using LlmMux.Gateway.Ingress;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Errors;

/// <summary>
/// The dialect a caller reads errors in, from the endpoint routing chose for the request: a local endpoint's
/// <see cref="DialectMetadata"/>, or the dialect of the ingress route a YARP route serves. A request no endpoint
/// claims (the 404 fallback, service paths) is placed by its path alone, as before there was metadata:
/// <c>/api/</c> and <c>/ollama/</c> are Ollama; <c>/v1beta/</c>, <c>/v1alpha/</c>, <c>/v1internal</c> and any path
/// with a <c>:</c> are Gemini; <c>/v1/messages…</c> is Anthropic; <c>/v1/models…</c> is Gemini or Anthropic when the
/// headers say so; everything else is OpenAI.
/// </summary>
internal static class CallerDialect
{
    /// <summary>Shared <c>/v1/models</c> callers, in the order their headers are checked.</summary>
    internal static readonly Dialect[] ModelListCallers = [Dialect.Gemini, Dialect.Anthropic];

    public static Dialect Of(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<DialectMetadata>() is { } dialect)
        {
            return dialect.For(context.Request);
        }

        if (metadata?.GetMetadata<RouteModel>() is { } route && IngressRoute.Find(route.Config.RouteId) is { } ingress)
        {
            return ingress.Format;
        }

        return FromPath(context.Request);
    }

    private static Dialect FromPath(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/ollama/", StringComparison.Ordinal))
        {
            return Dialect.Ollama;
        }

        if (path.StartsWith("/v1beta/", StringComparison.Ordinal) || path.StartsWith("/v1alpha/", StringComparison.Ordinal)
            || path.StartsWith("/v1internal", StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
        {
            return Dialect.Gemini;
        }

        if (path.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            return Dialect.Anthropic;
        }

        return path.StartsWith("/v1/models", StringComparison.Ordinal)
            ? new DialectMetadata(Dialect.OpenAIChat, ModelListCallers).For(request)
            : Dialect.OpenAIChat;
    }
}
