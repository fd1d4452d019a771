using System.Globalization;
using System.Threading.RateLimiting;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;

namespace LlmMux.Gateway.Security;

/// <summary>
/// <c>limits.requests-per-minute</c> per client key with ASP.NET Core's rate limiter: a sliding one-minute window in
/// six segments, no queue, partitioned by the key the client authenticated with (by address in no-key mode); a refused call gets 429 in its own dialect with <c>Retry-After</c>. The partition includes
/// the limit, so a reload with a new limit starts fresh windows. Health, metrics and management are not limited.
/// </summary>
internal static class ClientRateLimiting
{
    public static IServiceCollection AddLlmMuxRateLimiting(this IServiceCollection services)
        => services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(10);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ApiErrorWriter.WriteAsync(http,
                    new ApiError(429, "client_rate_limited", "This client key has reached limits.requests-per-minute; retry after the time in Retry-After.")).ConfigureAwait(false);
            };
        });

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var limit = context.RequestServices.GetRequiredService<GatewayConfigStore>().Current.Options.Limits.RequestsPerMinute;
        if (limit == 0)
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        // The accepted key's hash (never the key itself, never an unverified one a caller could vary per request),
        // else the caller's address.
        var client = context.User.FindFirst(ClientKeyHandler.ClientClaim)?.Value ?? context.Connection.RemoteIpAddress?.ToString() ?? "local";
        // In a cluster the window is the fleet's (Redis), this replica's own window its fallback.
        return context.RequestServices.GetService<Cluster.FleetRateLimits>() is { } fleet
            ? RateLimitPartition.Get($"{client}:{limit}", partition => fleet.Create(partition, limit, LocalOptions(limit)))
            : RateLimitPartition.GetSlidingWindowLimiter($"{client}:{limit}", _ => LocalOptions(limit));
    }

    internal static SlidingWindowRateLimiterOptions LocalOptions(int limit) => new()
    {
        PermitLimit = limit,
        Window = Window,
        SegmentsPerWindow = 6,
        QueueLimit = 0,
    };

    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
}
