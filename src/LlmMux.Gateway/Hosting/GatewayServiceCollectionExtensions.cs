using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.LoadBalancing;
using LlmMux.Gateway.Transforms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace LlmMux.Gateway.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Registers the config store, YARP fed from it, and llm-mux's transforms and account policy.</summary>
    public static IServiceCollection AddLlmMuxGateway(this IServiceCollection services, GatewayHostOptions options)
    {
        services.AddSingleton(sp => new GatewayConfigStore(options.Config, options.Overrides, sp.GetRequiredService<ILogger<GatewayConfigStore>>()));
        services.AddSingleton<IProxyConfigProvider, YarpConfigProvider>();
        services.AddSingleton<ILoadBalancingPolicy, AccountSelectionPolicy>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AccountStateStore>();
        services.AddSingleton<IPassiveHealthCheckPolicy, CooldownHealthPolicy>();
        services.AddReverseProxy().AddTransforms<ProviderTransformProvider>();
        return services;
    }
}
