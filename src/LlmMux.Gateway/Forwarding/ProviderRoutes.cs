namespace LlmMux.Gateway.Forwarding;

/// <summary>
/// The hidden route each provider gets. Requests never match it by path (the request middleware refuses that); the
/// failover loop moves a request onto it with <c>ReassignProxyRequest(route, cluster)</c> so YARP's load balancer,
/// health checks and the route's transforms all see the provider's cluster.
/// </summary>
internal static class ProviderRoutes
{
    public const string KindKey = "llm-mux.kind";
    public const string ProviderKind = "provider";
    public const string IngressKind = "ingress";
    public const string IngressClusterId = "llm-mux.ingress";
    public const string ForwardRateLimitsKey = "llm-mux.forward-rate-limits";

    public static string RouteId(string provider) => "provider:" + provider;

    public static string PathFor(string provider) => $"/__llm-mux/provider/{provider}/{{**rest}}";
}
