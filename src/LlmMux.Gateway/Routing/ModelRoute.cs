using LlmMux.Gateway.Providers;

namespace LlmMux.Gateway.Routing;

/// <summary>One provider to try, and the model name to send it.</summary>
public sealed record RouteTarget(ProviderDefinition Provider, string UpstreamModel)
{
    /// <summary>How to talk to the provider about this model (<see cref="ProviderType.ProtocolFor"/>).</summary>
    public UpstreamProtocol Protocol { get; } = Provider.Kind.ProtocolFor(UpstreamModel);
}

/// <summary>Where a requested model goes: an ordered chain of providers, tried in turn on failure.</summary>
public sealed record ModelRoute(string RequestedModel, IReadOnlyList<RouteTarget> Chain, ReasoningRequest? Reasoning);
