using System.Net;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Endpoints;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Hosting;

/// <summary>Builds the llm-mux web application: Kestrel on the configured address, the endpoints and the YARP pipeline.</summary>
public static class GatewayHost
{
    /// <exception cref="ConfigException">The config is invalid; nothing is started.</exception>
    public static WebApplication Build(GatewayHostOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddLlmMuxGateway(options);
        var startupConfig = options.Overrides.ApplyTo(ConfigLoader.Parse(options.Config.ReadText(), options.Config.DisplayName));
        builder.Services.AddLlmMuxTelemetry(startupConfig.Telemetry);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<GatewayConfigStore>((kestrel, store) =>
        {
            kestrel.AddServerHeader = false;
            // Each Responses WebSocket holds a connection for a whole Codex session: bounded, like any other resource.
            kestrel.Limits.MaxConcurrentUpgradedConnections = 1024;
            Listen(kestrel, store.Current.Options);
        });
        GatewayConfigStore? store = null;
        // `debug:` is read per log call, so turning it on in the file takes effect on the next reload.
        builder.Logging.AddFilter("LlmMux", level => level >= (store?.Current.Options.Debug == true ? LogLevel.Debug : LogLevel.Information));
        // ASP.NET Core's request lines quote the query, where '?key=' client keys travel: kept out in code, not only by
        // appsettings.json, so a binary installed without that file does not log keys.
        builder.Logging.AddFilter("Microsoft.AspNetCore", level => level >= (store?.Current.Options.Debug == true ? LogLevel.Information : LogLevel.Warning));
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // Ctrl-C and SIGTERM drain: a reasoning stream may run for minutes, so give in-flight requests that long.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = ShutdownDrain);
        configure?.Invoke(builder);

        var app = builder.Build();
        store = app.Services.GetRequiredService<GatewayConfigStore>(); // loads the config now, so a bad file fails here
        store.UpdateLoginAccounts(app.Services.GetRequiredService<LlmMux.Accounts.Store.AccountStore>().Accounts);
        var states = app.Services.GetRequiredService<Health.AccountStateStore>();
        store.Reloaded += snapshot => states.Retain(snapshot.Providers.SelectMany(p => p.Accounts).Select(a => a.DestinationId).ToHashSet(StringComparer.Ordinal));

        var startLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LlmMux.Gateway.Hosting");
        WarnAboutExposure(startLogger, store.Current.Options);
        WarnAboutFileModes(startLogger, store.Source.FilePath, Logins.LoginSettings.ExpandHome(store.Current.Options.AuthDir));
        if (options.WatchConfig)
        {
            store.StartWatching();
        }

        app.UseMiddleware<UnhandledErrorMiddleware>();
        app.UseMiddleware<BrowserGuardMiddleware>();
        app.UseCors();
        app.UseMiddleware<ClientAuthMiddleware>();
        app.UseRateLimiter();
        // Pings find a dead peer of an idle Codex session; the browser checks above already ran on the upgrade request.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30), KeepAliveTimeout = TimeSpan.FromSeconds(60) });
        app.MapHealth();
        if (startupConfig.Telemetry.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        app.MapModels();
        app.MapCodeAssist();
        app.MapResponsesWebSocket();
        app.MapManagement();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<LlmRequestMiddleware>();
            pipeline.UseMiddleware<FailoverMiddleware>();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        app.MapFallback((HttpContext context) => ApiErrorWriter.WriteAsync(context, ApiError.UnknownRoute(context.Request.Path)));
        return app;
    }

    /// <summary>How long a shutdown waits for requests in flight (the systemd unit's TimeoutStopSec is longer).</summary>
    internal static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(90);

    /// <summary>The addresses Kestrel bound, e.g. <c>http://127.0.0.1:8317</c> (the real port when 0 was asked for).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Settings that open accounts to a network say so once at start, where the operator looks.</summary>
    private static void WarnAboutExposure(ILogger logger, LlmMuxOptions options)
    {
        if (options.Host is "localhost" || (IPAddress.TryParse(options.Host, out var address) && IPAddress.IsLoopback(address)))
        {
            return;
        }

        if (options.AllowUnauthenticatedRemote && options.ApiKeys.Count == 0)
        {
            Logging.Log.OpenToRemote(logger, options.Host);
        }

        if (options.Management.AllowRemote && options.Management.SecretKey.Length > 0)
        {
            Logging.Log.ManagementRemote(logger, options.Host);
        }
    }

    /// <summary>The config (client and upstream keys) and the auth dir (tokens) should be the user's alone; say so if not.</summary>
    private static void WarnAboutFileModes(ILogger logger, string? configPath, string authDir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if (configPath is not null && File.Exists(configPath) && (File.GetUnixFileMode(configPath) & Others) != 0)
        {
            Logging.Log.LooseFileMode(logger, configPath, Octal(File.GetUnixFileMode(configPath)), "600");
        }

        if (Directory.Exists(authDir) && (File.GetUnixFileMode(authDir) & Others) != 0)
        {
            Logging.Log.LooseFileMode(logger, authDir, Octal(File.GetUnixFileMode(authDir)), "700");
        }

        static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8);
    }

    private static void Listen(KestrelServerOptions kestrel, LlmMuxOptions options)
    {
        if (options.Host is "localhost")
        {
            kestrel.ListenLocalhost(options.Port);
        }
        else if (IPAddress.TryParse(options.Host, out var address))
        {
            kestrel.Listen(address, options.Port);
        }
        else
        {
            throw new ConfigException($"host: '{options.Host}' is not an IP address or 'localhost'");
        }
    }
}
