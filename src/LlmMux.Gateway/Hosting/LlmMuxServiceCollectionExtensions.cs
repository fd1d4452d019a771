using LlmMux.Accounts.Providers;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Endpoints;
using LlmMux.Gateway.Hosting;
using LlmMux.Accounts.Refresh;
using Microsoft.Extensions.Http.Resilience;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Logins;
using LlmMux.Gateway.LoadBalancing;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Security;
using LlmMux.Gateway.Telemetry;
using LlmMux.Gateway.Transforms;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the llm-mux gateway to a service collection; <c>app.MapLlmMux()</c> then serves it.</summary>
public static class LlmMuxServiceCollectionExtensions
{
    /// <summary>
    /// Registers the config store (the source is read and validated here, once), YARP fed from it, llm-mux's
    /// transforms, health and account policies, logins, management, limits and telemetry. Calling it again adds nothing.
    /// </summary>
    /// <exception cref="ConfigException">The config is invalid; nothing is registered.</exception>
    public static LlmMuxBuilder AddLlmMux(this IServiceCollection services, GatewayHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new LlmMuxBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(GatewayConfigStore)))
        {
            return builder;
        }

        var initial = ConfigLoader.Read(options.Config.ReadText(), options.Config.DisplayName);
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new GatewayConfigStore(options.Config, options.Overrides, initial, sp.GetRequiredService<ILogger<GatewayConfigStore>>()));
        services.TryAddSingleton<IProxyConfigProvider, YarpConfigProvider>();
        services.AddAccountStrategies();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccountStateStore>();
        services.TryAddSingleton(sp => new LlmMux.Gateway.Quota.QuotaStateStore(
            QuotaFilePath(sp.GetRequiredService<GatewayConfigStore>().Current.Options.AuthDir),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<AccountStateStore>(),
            sp.GetRequiredService<ILogger<LlmMux.Gateway.Quota.QuotaStateStore>>()));
        services.TryAddSingleton<LlmMux.Gateway.Quota.QuotaPoller>();
        // Quota reads: short, no retries (a failed read is simply retried later), redirects not followed (they carry the token).
        services.AddHttpClient(LlmMux.Gateway.Quota.QuotaPoller.ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, CooldownHealthPolicy>());
        services.AddReverseProxy().AddTransforms<ProviderTransformProvider>();
        services.AddInMemoryDataProtectionKeys();
        // Minimal-API bodies bind through source-generated metadata: reflection is not there under Native AOT.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ManagementAccountsJsonContext.Default));
        services.AddLlmMuxLogins();
        services.AddLlmMuxManagement();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<ModelLabels>();
        services.TryAddSingleton<ClientPrincipals>();
        services.AddAuthentication()
            .AddScheme<ClientKeyOptions, ClientKeyHandler>(ClientKeyHandler.SchemeName, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ManagementSecretHandler>(ManagementSecretHandler.SchemeName, null);
        // The endpoint gate enforces the [Authorize] metadata itself (no AuthorizationMiddleware runs), so the endpoint
        // middleware's check that some authorization middleware saw that metadata does not apply.
        services.Configure<Microsoft.AspNetCore.Routing.RouteOptions>(routes => routes.SuppressCheckForUnhandledSecurityMetadata = true);
        services.AddLlmMuxRateLimiting();
        services.AddLlmMuxBrowserPolicy();
        services.AddResponsesWebSocket();
        // Translator.Default stays the process-wide instance; DI hands out the same one.
        services.TryAddSingleton(LlmMux.Translation.Translator.Default);
        services.TryAddSingleton<RequestLog>();
        services.TryAddSingleton<UsageRecorder>();
        services.TryAddSingleton(sp => new UsageLedger(
            UsageLedgerPath(sp.GetRequiredService<GatewayConfigStore>().Current.Options.AuthDir),
            sp.GetRequiredService<ILogger<UsageLedger>>()));
        // Exporters are chosen from the file read above: changing them needs a restart.
        services.AddLlmMuxTelemetry(options.Overrides.ApplyTo(initial.Options).Telemetry);
        // Like the exporters, the cluster is chosen once: which Redis a replica shares state through needs a restart.
        LlmMux.Gateway.Cluster.ClusterServiceCollectionExtensions.AddLlmMuxCluster(services, options.Overrides.ApplyTo(initial.Options).Cluster);
        return builder;
    }

    /// <summary>
    /// Subscription accounts: the auth dir's store (loaded at once, watched while serving), the credential service that
    /// refreshes their tokens, and the OAuth HttpClient with the standard resilience handler. Retries are off for POST:
    /// refresh tokens rotate, and a replayed refresh could burn the new one. Redirects are not followed: a 307/308
    /// would re-POST the refresh token to wherever the answer points.
    /// </summary>
    private static IServiceCollection AddLlmMuxLogins(this IServiceCollection services)
    {
        services.AddHttpClient(OAuthClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddStandardResilienceHandler(o => o.Retry.DisableForUnsafeHttpMethods());

        // Backstop: a background service that faults (token refresh, account watching) must not stop the gateway.
        // CredentialService already never throws out of its loop; this covers what it cannot foresee.
        services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
        services.TryAddSingleton(SubscriptionProviders.Default);
        services.TryAddSingleton(sp =>
        {
            var store = new AccountStore(
                LoginSettings.ExpandHome(sp.GetRequiredService<GatewayConfigStore>().Current.Options.AuthDir),
                sp.GetRequiredService<ILogger<AccountStore>>(),
                providers: sp.GetRequiredService<SubscriptionProviders>());
            store.Load();
            return store;
        });
        services.TryAddSingleton(sp =>
        {
            var config = sp.GetRequiredService<GatewayConfigStore>();
            return new CredentialService(
                sp.GetRequiredService<AccountStore>(),
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(OAuthClientName),
                type => LoginSettings.For(type, config.Current.Options),
                logger: sp.GetRequiredService<ILogger<CredentialService>>(),
                time: sp.GetRequiredService<TimeProvider>(),
                coordinator: sp.GetService<IRefreshCoordinator>());
        });
        services.TryAddSingleton<ICredentialProvider>(sp => sp.GetRequiredService<CredentialService>());
        services.AddHostedService<LoginAccountsService>();
        return services;
    }

    /// <summary>Name of the token-endpoint HttpClient; its resilience options are named <c>llm-mux-oauth-standard</c>.</summary>
    internal const string OAuthClientName = "llm-mux-oauth";

    /// <summary><c>usage.jsonl</c> in the auth dir's parent (e.g. <c>~/.config/llm-mux/usage.jsonl</c>).</summary>
    internal static string UsageLedgerPath(string authDir)
    {
        var expanded = LoginSettings.ExpandHome(authDir);
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(expanded).TrimEnd(Path.DirectorySeparatorChar)) ?? ".", "usage.jsonl");
    }

    /// <summary><c>quota.json</c> in the auth dir's parent, beside <c>usage.jsonl</c> (the account store reads every file in the auth dir).</summary>
    public static string QuotaFilePath(string authDir) => Path.Combine(Path.GetDirectoryName(UsageLedgerPath(authDir)) ?? ".", "quota.json");

    /// <summary>
    /// Traces (llm-mux's own spans plus YARP's <c>proxy.forwarder</c> activity) and the <c>LlmMux</c> meter, exported
    /// over OTLP when <c>telemetry.otlp-endpoint</c> is set and as Prometheus text at <c>/metrics</c> when
    /// <c>telemetry.prometheus</c> is on. Exporters are chosen at start-up; changing them needs a restart.
    /// </summary>
    private static IServiceCollection AddLlmMuxTelemetry(this IServiceCollection services, TelemetryOptions telemetry)
    {
        var otlp = telemetry.OtlpEndpoint.Length > 0 ? new Uri(telemetry.OtlpEndpoint) : null;
        var builder = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(telemetry.ServiceName));
        if (otlp is not null)
        {
            // Spans cost something per request and attempt; they are recorded only when someone receives them.
            builder.WithTracing(tracing => tracing.AddSource(GatewayMetrics.ActivitySourceName, "Yarp.ReverseProxy").AddOtlpExporter(o => o.Endpoint = otlp));
        }

        builder.WithMetrics(metrics =>
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
