using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Endpoint metadata for what is not an LLM route, read by the browser guard: a probe answers under whatever host name
/// the platform gives it; management carries its own secret, which a browser cannot send cross-site without a preflight,
/// so its bodies need not be JSON.
/// </summary>
internal sealed class ServiceEndpoint
{
    public static readonly ServiceEndpoint Probe = new();
    public static readonly ServiceEndpoint Management = new();

    private ServiceEndpoint()
    {
    }

    public static bool Is(HttpContext context, ServiceEndpoint kind) => ReferenceEquals(context.GetEndpoint()?.Metadata.GetMetadata<ServiceEndpoint>(), kind);
}

/// <summary>How the probes and management routes are declared.</summary>
internal static class ServiceEndpointConventions
{
    /// <summary><c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>: no key, no rate limit, any host name.</summary>
    public static TBuilder AsProbe<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.AllowAnonymous().DisableRateLimiting().WithMetadata(ServiceEndpoint.Probe);

    /// <summary>
    /// Under <c>/v0/management</c>: no client key and no rate limit (the secret has its own scheme and throttle, which a
    /// route that needs it adds).
    /// </summary>
    public static TBuilder AsManagement<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.DisableRateLimiting().WithMetadata(ServiceEndpoint.Management);
}
