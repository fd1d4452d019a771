using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Endpoints;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Hosting;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Security;
using LlmMux.Gateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves what <c>AddLlmMux()</c> registered: the middleware, the local endpoints and the YARP pipeline.</summary>
public static class LlmMuxApplicationBuilderExtensions
{
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>
    /// Loads the config (a bad file fails here), ties the account state to its reloads, warns about exposed settings,
    /// starts watching the file when asked, and maps the whole llm-mux pipeline. Call once, on a fresh application.
    /// </summary>
    public static WebApplication MapLlmMux(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.Services;
        var store = services.GetRequiredService<GatewayConfigStore>();
        store.UpdateLoginAccounts(services.GetRequiredService<LlmMux.Accounts.Store.AccountStore>().Accounts);
        var states = services.GetRequiredService<LlmMux.Gateway.Health.AccountStateStore>();
        store.Reloaded += snapshot => states.Retain(snapshot.Providers.SelectMany(p => p.Accounts).Select(a => a.DestinationId).ToHashSet(StringComparer.Ordinal));

        // The Redis gauges exist from the start (only when the cluster is on), not from the first use of Redis.
        _ = services.GetService<LlmMux.Gateway.Cluster.ClusterMetrics>();

        StartupChecks.Warn(services.GetRequiredService<ILoggerFactory>().CreateLogger("LlmMux.Gateway.Hosting"), store);
        if (services.GetRequiredService<GatewayHostOptions>().WatchConfig)
        {
            store.StartWatching();
        }

        app.UseMiddleware<UnhandledErrorMiddleware>();
        app.UseMiddleware<BrowserGuardMiddleware>();
        app.UseCors();
        app.UseMiddleware<EndpointAuthenticationMiddleware>();
        // The gate replaces UseAuthentication + UseAuthorization. WebApplication inserts that pair in front of the whole
        // pipeline when their services are registered and neither was called, so without these marks (the keys the
        // two calls write) every request paid for both as well as the gate (docs/benchmarks.md, stop 22).
        IApplicationBuilder root = app;
        root.Properties[AuthenticationMiddlewareSetKey] = true;
        root.Properties[AuthorizationMiddlewareSetKey] = true;
        app.UseRateLimiter();
        // Pings find a dead peer of an idle Codex session; the browser checks above already ran on the upgrade request.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30), KeepAliveTimeout = TimeSpan.FromSeconds(60) });
        app.MapHealth();
        if (store.Current.Options.Telemetry.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics").AsProbe();
        }
        else
        {
            app.Map("/metrics", UnknownRoute).AsProbe();
        }

        // Under the probes and management, what no endpoint serves (another method, an unknown management route) is the
        // fallback's 404 without a key or a rate limit; a file-like management path keeps the empty 404 of no endpoint.
        app.Map("/healthz", UnknownRoute).WithOrder(1).AsProbe();
        app.Map("/readyz", UnknownRoute).WithOrder(1).AsProbe();
        app.Map("/v0/management/{*rest:nonfile}", UnknownRoute).WithOrder(int.MaxValue).AsManagement().AllowAnonymous();
        app.Map("/v0/management/{*rest:file}", () => Results.NotFound()).WithOrder(int.MaxValue).AsManagement().AllowAnonymous();

        app.MapModels();
        app.MapClaudeCodeProbes();
        app.MapCodeAssist();
        app.MapResponsesWebSocket();
        app.MapManagement();
        LlmMux.Gateway.Dashboard.DashboardEndpoints.MapDashboard(app);
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<LlmRequestMiddleware>();
            pipeline.UseMiddleware<RequestTelemetryMiddleware>();
            pipeline.UseMiddleware<FailoverMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        app.MapFallback(UnknownRoute);
        return app;
    }

    private static Task UnknownRoute(HttpContext context) => ApiErrorWriter.WriteAsync(context, ApiError.UnknownRoute(context.Request.Path));
}
