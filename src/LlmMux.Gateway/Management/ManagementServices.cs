using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmMux.Gateway.Management;

internal static class ManagementServices
{
    /// <summary>Per-gateway management state: the wrong-secret throttle and the login jobs.</summary>
    public static IServiceCollection AddLlmMuxManagement(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ManagementThrottle>();
        services.TryAddSingleton<ManagementSecretVerifier>();
        services.AddSingleton<LoginJobs>();
        services.AddSingleton<LlmMux.Gateway.Dashboard.DashboardSessions>();
        return services;
    }
}
