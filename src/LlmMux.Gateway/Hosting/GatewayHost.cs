using System.Net;
using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Hosting;

/// <summary>
/// The executable's host: a slim web application with <c>AddLlmMux()</c> and <c>MapLlmMux()</c>, Kestrel on the
/// configured address, llm-mux's log filters and the shutdown drain.
/// </summary>
public static class GatewayHost
{
    /// <exception cref="ConfigException">The config is invalid; nothing is started.</exception>
    public static WebApplication Build(GatewayHostOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddLlmMux(options);
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
        // A refused client key is logged once, by the client-key scheme.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authorization", LogLevel.Warning);
        // Ctrl-C and SIGTERM drain: a reasoning stream may run for minutes, so give in-flight requests that long.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = ShutdownDrain);
        configure?.Invoke(builder);

        var app = builder.Build();
        store = app.Services.GetRequiredService<GatewayConfigStore>();
        return app.MapLlmMux();
    }

    /// <summary>How long a shutdown waits for requests in flight (the systemd unit's TimeoutStopSec is longer).</summary>
    internal static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(90);

    /// <summary>The addresses Kestrel bound, e.g. <c>http://127.0.0.1:8317</c> (the real port when 0 was asked for).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

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
