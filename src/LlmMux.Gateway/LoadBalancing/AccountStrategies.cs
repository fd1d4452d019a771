using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.LoadBalancing;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>
/// The account strategies a provider's <c>strategy:</c> can name, each carried out by a YARP
/// <see cref="ILoadBalancingPolicy"/>: YARP's own where its pick is ours, else a class in this folder. A conversation's
/// stickiness is not a strategy: <see cref="ConversationAffinityPolicy"/> narrows the accounts first, whatever the strategy.
/// </summary>
internal static class AccountStrategies
{
    public const string RoundRobin = "round-robin";
    public const string FillFirst = "fill-first";
    public const string LeastBusy = "least-busy";
    public const string QuotaAware = "quota-aware";
    public const string Default = RoundRobin;

    /// <summary>One line per strategy, in the order the validator lists them.</summary>
    internal static readonly IReadOnlyList<AccountStrategy> All =
    [
        // YARP counts per cluster over the accounts available now, as ours did.
        AccountStrategy.Yarp(RoundRobin, LoadBalancingPolicies.RoundRobin),
        AccountStrategy.Own<FillFirstLoadBalancingPolicy>(FillFirst),
        // Fewest in flight, the first in the list on a tie (YARP's LeastRequests), counting the fleet's in a cluster.
        AccountStrategy.Own<LeastBusyLoadBalancingPolicy>(LeastBusy),
        AccountStrategy.Own<QuotaAwareLoadBalancingPolicy>(QuotaAware),
    ];

    /// <summary>The names <c>strategy:</c> accepts.</summary>
    public static IEnumerable<string> Names => All.Select(s => s.Name);

    /// <summary>The <see cref="ILoadBalancingPolicy.Name"/> a provider's cluster names; the strategy is already validated.</summary>
    public static string PolicyFor(string strategy)
        => All.FirstOrDefault(s => s.Name == strategy)?.PolicyName ?? throw new InvalidOperationException($"unknown strategy '{strategy}'");

    /// <summary>Registers the policies this folder adds (YARP registers its own in <c>AddReverseProxy</c>).</summary>
    public static IServiceCollection AddAccountStrategies(this IServiceCollection services)
    {
        foreach (var strategy in All)
        {
            if (strategy.Service is { } service)
            {
                services.TryAddEnumerable(service);
            }
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<Yarp.ReverseProxy.SessionAffinity.ISessionAffinityPolicy, ConversationAffinityPolicy>());
        return services;
    }
}
