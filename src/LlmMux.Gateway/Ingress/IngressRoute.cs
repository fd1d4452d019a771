using System.Collections.Frozen;
using LlmMux.Translation;

namespace LlmMux.Gateway.Ingress;

/// <summary>One public endpoint of an inbound dialect; becomes a YARP route on the ingress cluster.</summary>
/// <param name="RouteId">YARP route id (<c>ingress:</c> and the dialect's route name).</param>
/// <param name="Path">Route path pattern.</param>
/// <param name="Format">The dialect of bodies, answers and errors on this route.</param>
/// <param name="Kind">Where model and stream flag come from.</param>
/// <param name="StreamsByDefault">Ollama streams unless told <c>"stream": false</c>.</param>
/// <param name="LoopbackOnly">Answered for loopback callers only (Code Assist, so the real Gemini CLI can use llm-mux).</param>
public sealed record IngressRoute(string RouteId, string Path, Dialect Format, IngressKind Kind = IngressKind.Generate, bool StreamsByDefault = false, bool LoopbackOnly = false)
{
    private const string RouteIdPrefix = "ingress:";

    private static readonly FrozenDictionary<string, IngressRoute> ById = Build().ToFrozenDictionary(r => r.RouteId, StringComparer.Ordinal);

    /// <summary>Every public LLM route, as the registered dialects declare them; fixed by the protocols, so generated
    /// in code rather than read from YAML.</summary>
    public static IReadOnlyList<IngressRoute> All { get; } = [.. ById.Values.OrderBy(r => r.RouteId, StringComparer.Ordinal)];

    public static IngressRoute? Find(string routeId) => ById.GetValueOrDefault(routeId);

    /// <summary>The dialect errors on this route are written in: the route's own.</summary>
    public Dialect ErrorDialect => Format;

    private static IEnumerable<IngressRoute> Build() =>
        Dialects.All.SelectMany(d => d.Routes.Select(r =>
            new IngressRoute(RouteIdPrefix + r.Name, r.Path, d.Dialect, r.Kind, r.StreamsByDefault, r.LoopbackOnly)));
}
