using LlmMux.Gateway.Errors;

namespace LlmMux.Gateway.Ingress;

/// <summary>One public endpoint of an inbound dialect; becomes a YARP route on the ingress cluster.</summary>
/// <param name="RouteId">YARP route id, also the name in route metadata.</param>
/// <param name="Path">Route path pattern.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Dialect">Error and listing shape of the callers of this route.</param>
/// <param name="Format">Wire format of the body; decides whether a provider call is pass-through or translated.</param>
public sealed record IngressRoute(string RouteId, string Path, string Method, ApiDialect Dialect, string Format)
{
    public const string OpenAIChatFormat = "openai-chat";

    public static readonly IngressRoute OpenAIChat = new("ingress:openai-chat", "/v1/chat/completions", "POST", ApiDialect.OpenAI, OpenAIChatFormat);

    /// <summary>Every public route; fixed by the protocols, so generated in code rather than read from YAML.</summary>
    public static IReadOnlyList<IngressRoute> All { get; } = [OpenAIChat];

    public static IngressRoute? Find(string routeId) => All.FirstOrDefault(r => r.RouteId == routeId);
}
