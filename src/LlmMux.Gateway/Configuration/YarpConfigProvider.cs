using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.LoadBalancing;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace LlmMux.Gateway.Configuration;

/// <summary>
/// Shows the current <see cref="GatewaySnapshot"/> to YARP: one cluster per provider, one destination per account,
/// the public ingress routes and one hidden route per provider. YARP keeps destination health across swaps as long
/// as the destination id stays the same, which it does for the same key.
/// </summary>
internal sealed class YarpConfigProvider(GatewayConfigStore store) : IProxyConfigProvider
{
    /// <summary>How much longer YARP waits than the streams' idle watch; before the headers this is the attempt's time-out.</summary>
    internal static readonly TimeSpan IdleWatchMargin = TimeSpan.FromSeconds(2);

    public IProxyConfig GetConfig()
    {
        // Take the token before the snapshot: a swap in between then fires the token and YARP simply asks again.
        var changeToken = store.ChangeToken;
        return Build(store.Current, changeToken);
    }

    internal static IProxyConfig Build(GatewaySnapshot snapshot, IChangeToken changeToken)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig> { new() { ClusterId = ProviderRoutes.IngressClusterId } };

        foreach (var ingress in IngressRoute.All)
        {
            routes.Add(new RouteConfig
            {
                RouteId = ingress.RouteId,
                ClusterId = ProviderRoutes.IngressClusterId,
                Match = new RouteMatch { Path = ingress.Path, Methods = ["POST"] },
                MaxRequestBodySize = -1, // the request middleware enforces limits.max-request-body-mb with a proper error
                Metadata = new Dictionary<string, string> { [ProviderRoutes.KindKey] = ProviderRoutes.IngressKind },
            });
        }

        foreach (var provider in snapshot.Providers)
        {
            var options = snapshot.Options.Providers.First(p => p.Name == provider.Name);
            routes.Add(new RouteConfig
            {
                RouteId = ProviderRoutes.RouteId(provider.Name),
                ClusterId = provider.Name,
                Match = new RouteMatch { Path = ProviderRoutes.PathFor(provider.Name) },
                Metadata = new Dictionary<string, string>
                {
                    [ProviderRoutes.KindKey] = ProviderRoutes.ProviderKind,
                    [ProviderRoutes.ForwardRateLimitsKey] = options.ForwardRateLimitHeaders ? "true" : "false",
                },
            });

            var proxyUrl = options.ProxyUrl;
            clusters.Add(new ClusterConfig
            {
                ClusterId = provider.Name,
                LoadBalancingPolicy = AccountStrategies.PolicyFor(provider.Strategy),
                SessionAffinity = ConversationAffinityPolicy.Config,
                // HealthyAndUnknown, not YARP's default HealthyOrPanic, which would send to cooling accounts when all are cooling.
                HealthCheck = new HealthCheckConfig
                {
                    AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
                    Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = CooldownHealthPolicy.PolicyName },
                    Active = ActiveCheckFor(provider),
                },
                // A little longer than the streams' own idle watch, which must fire first: once YARP's timer fires its token
                // is cancelled and nothing more (not even the dialect's error event) can be written to the client.
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = snapshot.Options.Routing.UpstreamIdleTimeout + IdleWatchMargin },
                // UTF-8 request headers: a client's 'User-Agent: café' is passed on as sent, where the default (ASCII only)
                // makes the send throw, which looked like the upstream failing and cooled healthy accounts.
                HttpClient = new HttpClientConfig
                {
                    RequestHeaderEncoding = "utf-8",
                    WebProxy = proxyUrl.Length > 0 ? new WebProxyConfig { Address = new Uri(proxyUrl) } : null,
                },
                Destinations = provider.Accounts.ToDictionary(
                    a => a.DestinationId,
                    a => new DestinationConfig
                    {
                        Address = provider.BaseUrl,
                        Metadata = new Dictionary<string, string> { ["account"] = a.Id, ["provider"] = provider.Name },
                    },
                    StringComparer.Ordinal),
            });
        }

        return new Snapshot(routes, clusters, changeToken, snapshot.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A cheap active check where there is one: a keyless OpenAI-compatible server (vLLM, Ollama, LM Studio) answers
    /// <c>GET /models</c> for free, so YARP probes it and takes a dead server out before a request finds it. Paid or
    /// subscription upstreams are not probed: a probe there costs quota or looks like bot traffic.
    /// </summary>
    internal static ActiveHealthCheckConfig? ActiveCheckFor(Providers.ProviderDefinition provider)
        => provider.Kind.KeyOptional && provider.Accounts.All(a => a.ApiKey is null && a.LoginAccountId is null)
            ? new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = TimeSpan.FromSeconds(30),
                Timeout = TimeSpan.FromSeconds(5),
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = "/models",
            }
            : null;

    private sealed record Snapshot(IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, IChangeToken ChangeToken, string RevisionId)
        : IProxyConfig;
}
