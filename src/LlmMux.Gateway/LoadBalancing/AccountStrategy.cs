using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.LoadBalancing;

namespace LlmMux.Gateway.LoadBalancing;

/// <summary>A <c>strategy:</c> name and the load-balancing policy that carries it out.</summary>
/// <param name="Name">What the config says, e.g. <c>fill-first</c>.</param>
/// <param name="PolicyName">The policy's <see cref="ILoadBalancingPolicy.Name"/>, which the provider's cluster names.</param>
/// <param name="Service">How to register the policy; null for one YARP already registers.</param>
internal sealed record AccountStrategy(string Name, string PolicyName, ServiceDescriptor? Service)
{
    public static AccountStrategy Yarp(string name, string yarpPolicy) => new(name, yarpPolicy, null);

    /// <summary>A policy of ours, whose <see cref="ILoadBalancingPolicy.Name"/> is the strategy name.</summary>
    public static AccountStrategy Own<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPolicy>(string name)
        where TPolicy : class, ILoadBalancingPolicy
        => new(name, name, ServiceDescriptor.Singleton<ILoadBalancingPolicy, TPolicy>());
}
