using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.LoadBalancing;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Security;
using LlmMux.Gateway.Telemetry;
using LlmMux.Gateway.Transforms;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
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
        services.AddSingleton<GatewayMetrics>();
        services.AddLlmMuxRateLimiting();
        services.AddSingleton<RequestLog>();
        services.AddSingleton(sp => new UsageLedger(
            UsageLedgerPath(sp.GetRequiredService<GatewayConfigStore>().Current.Options.AuthDir),
            sp.GetRequiredService<ILogger<UsageLedger>>()));
        return services;
    }

    /// <summary><c>usage.jsonl</c> in the auth dir's parent (e.g. <c>~/.config/llm-mux/usage.jsonl</c>).</summary>
    public static string UsageLedgerPath(string authDir)
    {
        var expanded = authDir.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), authDir[2..])
            : authDir;
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(expanded).TrimEnd(Path.DirectorySeparatorChar)) ?? ".", "usage.jsonl");
    }

    /// <summary>
    /// Traces (llm-mux's own spans plus YARP's <c>proxy.forwarder</c> activity) and the <c>LlmMux</c> meter, exported
    /// over OTLP when <c>telemetry.otlp-endpoint</c> is set and as Prometheus text at <c>/metrics</c> when
    /// <c>telemetry.prometheus</c> is on. Exporters are chosen at start-up; changing them needs a restart.
    /// </summary>
    public static IServiceCollection AddLlmMuxTelemetry(this IServiceCollection services, TelemetryOptions telemetry)
    {
        var otlp = telemetry.OtlpEndpoint.Length > 0 ? new Uri(telemetry.OtlpEndpoint) : null;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(telemetry.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(GatewayMetrics.ActivitySourceName, "Yarp.ReverseProxy");
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = otlp);
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayMetrics.MeterName);
                if (telemetry.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
                }
            });
        return services;
    }
}
