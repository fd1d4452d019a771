using System.Diagnostics.Metrics;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// The Redis link, the bus and the shared state. With <c>cluster.redis</c> unset, the link is off and the shared
    /// services are not started: one machine behaves exactly as without this.
    /// </summary>
    public static IServiceCollection AddLlmMuxCluster(this IServiceCollection services, ClusterOptions options)
    {
        services.TryAddSingleton(sp => new RedisLink(options, sp.GetRequiredService<ILogger<RedisLink>>()));
        services.TryAddSingleton<ClusterBus>();
        services.TryAddSingleton<InstanceRegistry>();
        if (options.Enabled)
        {
            services.AddHostedService(sp => sp.GetRequiredService<InstanceRegistry>());
            services.TryAddSingleton<SharedCooldowns>();
            services.AddHostedService(sp => sp.GetRequiredService<SharedCooldowns>());
            services.TryAddSingleton<ClusterMetrics>();
            services.TryAddSingleton<SharedAccounts>();
            services.AddHostedService(sp => sp.GetRequiredService<SharedAccounts>());
            services.TryAddSingleton<LlmMux.Accounts.Refresh.IRefreshCoordinator>(sp => sp.GetRequiredService<SharedAccounts>());
            services.TryAddSingleton<SharedLogins>();
            services.AddHostedService(sp => sp.GetRequiredService<SharedLogins>());
            services.TryAddSingleton<FleetRateLimits>();
            services.TryAddSingleton<FleetLoad>();
            services.TryAddSingleton<LlmMux.Gateway.Health.IFleetLoad>(sp => sp.GetRequiredService<FleetLoad>());
            services.AddHostedService(sp => sp.GetRequiredService<FleetLoad>());
            services.TryAddSingleton<FleetUsage>();
            services.AddHostedService(sp => sp.GetRequiredService<FleetUsage>());
            services.TryAddSingleton<FleetRequests>();
            services.AddHostedService(sp => sp.GetRequiredService<FleetRequests>());
            services.TryAddSingleton<LlmMux.Gateway.Dashboard.ISharedDashboardSessions, SharedDashboardSessions>();
        }

        return services;
    }
}

/// <summary>Redis as this replica sees it: <c>llm_mux.cluster.redis_connected</c> (0/1) and <c>llm_mux.cluster.redis_failures</c>.</summary>
internal sealed class ClusterMetrics
{
    public ClusterMetrics(IMeterFactory meterFactory, RedisLink link)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        meter.CreateObservableGauge("llm_mux.cluster.redis_connected", () => link.Connected ? 1 : 0, null, "1 while this replica reaches the cluster's Redis, else 0 (it serves with local state).");
        meter.CreateObservableCounter("llm_mux.cluster.redis_failures", () => link.Failures, "{failure}", "Redis commands and connections that failed; the replica used local state instead.");
    }
}
