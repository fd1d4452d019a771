using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>
/// ASP.NET Core's CORS middleware with its policy taken from the current config, so <c>security.allowed-origins</c>
/// applies on reload. No origins listed means no policy: no CORS headers at all, which is what keeps pages out.
/// The list is also enforced by <see cref="BrowserGuardMiddleware"/>; this only tells browsers what they may read.
/// </summary>
internal sealed class ConfigCorsPolicyProvider(GatewayConfigStore config) : ICorsPolicyProvider
{
    private static readonly string[] ExposedHeaders = ["Retry-After", "x-llm-mux-token-count", "request-id", "x-request-id"];

    private Cached? _cached;

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        var origins = config.Current.Options.Security.AllowedOrigins;
        if (origins.Count == 0)
        {
            return Task.FromResult<CorsPolicy?>(null);
        }

        var cached = Volatile.Read(ref _cached);
        if (cached is null || !ReferenceEquals(cached.Origins, origins))
        {
            // Built once per config revision, not per request.
            var builder = new CorsPolicyBuilder().AllowAnyHeader().AllowAnyMethod().WithExposedHeaders(ExposedHeaders).SetPreflightMaxAge(TimeSpan.FromHours(1));
            cached = new Cached(origins, (origins.Contains("*") ? builder.AllowAnyOrigin() : builder.WithOrigins([.. origins])).Build());
            Volatile.Write(ref _cached, cached);
        }

        return Task.FromResult<CorsPolicy?>(cached.Policy);
    }

    private sealed record Cached(IReadOnlyList<string> Origins, CorsPolicy Policy);
}
