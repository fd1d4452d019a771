using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.LoadBalancing;

namespace LlmMux.Gateway.Tests.LoadBalancing;

public sealed class AccountStrategiesTests
{
    private static readonly Dictionary<string, ILoadBalancingPolicy> Policies = new ServiceCollection()
        .AddLogging()
        .AddSingleton(new LlmMux.Gateway.Quota.QuotaStateStore(null, TimeProvider.System, new LlmMux.Gateway.Health.AccountStateStore(TimeProvider.System)))
        .AddAccountStrategies()
        .AddReverseProxy().Services
        .BuildServiceProvider()
        .GetServices<ILoadBalancingPolicy>()
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static ILoadBalancingPolicy For(string strategy) => Policies[AccountStrategies.PolicyFor(strategy)];

    [Fact]
    public void Every_strategy_is_carried_out_by_a_registered_policy()
        => Assert.All(AccountStrategies.Names, name => Assert.True(Policies.ContainsKey(AccountStrategies.PolicyFor(name)), name));

    [Fact]
    public void The_validator_accepts_exactly_the_registered_strategies()
    {
        Assert.Equal(["round-robin", "fill-first", "least-busy", "quota-aware"], AccountStrategies.Names);
        Assert.Equal(AccountStrategies.Default, new ProviderOptions().Strategy);
        var error = Assert.Single(ConfigValidator.Validate(new LlmMuxOptions
        {
            Providers = [new ProviderOptions { Name = "p", Type = "openai", Strategy = "random" }],
        }));
        Assert.Equal("unknown strategy 'random' (expected round-robin, fill-first, least-busy, quota-aware)", error.Message);
    }

    [Fact]
    public void Round_robin_cycles_over_the_accounts_available_now()
    {
        var cluster = Clusters.Of("a", "b", "c");
        var policy = For(AccountStrategies.RoundRobin);
        var all = Clusters.Available(cluster, "a", "b", "c");
        Assert.Equal(["a", "b", "c", "a"], Enumerable.Range(0, 4).Select(_ => policy.PickDestination(new DefaultHttpContext(), cluster, all)!.DestinationId));

        // One account cooling: the counter goes on over the two left, never to the one that is out.
        var two = Clusters.Available(cluster, "a", "c");
        Assert.All(Enumerable.Range(0, 6), _ => Assert.NotEqual("b", policy.PickDestination(new DefaultHttpContext(), cluster, two)!.DestinationId));
    }

    [Fact]
    public void Round_robin_counts_per_provider()
    {
        var first = Clusters.Of("a", "b");
        var second = Clusters.Of("a", "b");
        var policy = For(AccountStrategies.RoundRobin);
        Assert.Equal("a", policy.PickDestination(new DefaultHttpContext(), first, Clusters.Available(first, "a", "b"))!.DestinationId);
        Assert.Equal("a", policy.PickDestination(new DefaultHttpContext(), second, Clusters.Available(second, "a", "b"))!.DestinationId);
    }

    [Fact]
    public void Least_busy_takes_the_fewest_attempts_in_flight_and_the_first_on_a_tie()
    {
        var cluster = Clusters.Of("a", "b", "c");
        cluster.Destinations["a"].ConcurrentRequestCount = 2;
        cluster.Destinations["b"].ConcurrentRequestCount = 1;
        cluster.Destinations["c"].ConcurrentRequestCount = 1;
        var policy = For(AccountStrategies.LeastBusy);
        Assert.Equal("b", policy.PickDestination(new DefaultHttpContext(), cluster, Clusters.Available(cluster, "a", "b", "c"))!.DestinationId);
        Assert.Equal("c", policy.PickDestination(new DefaultHttpContext(), cluster, Clusters.Available(cluster, "a", "c", "b"))!.DestinationId);
    }

    [Fact]
    public void Fill_first_is_ours_not_first_alphabetical()
        => Assert.IsType<FillFirstLoadBalancingPolicy>(For(AccountStrategies.FillFirst));
}
