using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.LoadBalancing;
using LlmMux.Gateway.Quota;
using LlmMux.Gateway.Routing;
using LlmMux.Gateway.Tests.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Tests.Quota;

public sealed class QuotaRoutingTests
{
    private const string Model = "gpt-x";

    private static readonly GatewaySnapshot Snapshot = new(ConfigLoader.Parse("""
        providers:
          - { name: p, type: openai, api-keys: [sk-one, sk-two, sk-three], models: [gpt-x, other] }
        """, "t.yaml"), 1);

    private readonly QuotaStateStoreTests.ManualTime _time = new();
    private readonly QuotaStateStore _store;
    private readonly string[] _ids = Snapshot.Providers[0].Accounts.Select(a => a.DestinationId).ToArray();

    private readonly QuotaAwareLoadBalancingPolicy _policy;

    public QuotaRoutingTests()
    {
        _store = new QuotaStateStore(null, _time, new AccountStateStore(_time));
        _policy = new QuotaAwareLoadBalancingPolicy(_store);
    }

    private void Report(int account, double used, TimeSpan? resetIn = null, IReadOnlyList<string>? models = null) =>
        _store.Update(_ids[account], _ids[account], null, [new QuotaWindow("five-hour", used, resetIn is { } r ? _time.Now + r : null, models)]);

    private List<DestinationState> Within(double reserve = 0.95, string model = Model) =>
        QuotaRouting.WithinReserve(_ids.Select(id => new DestinationState(id)).ToList(), Snapshot, model, reserve, _store);

    [Fact]
    public void An_account_at_the_reserve_is_passed_over_while_others_can_serve()
    {
        Report(0, 0.96);
        Report(1, 0.50);

        Assert.Equal([_ids[1], _ids[2]], Within().Select(d => d.DestinationId));
    }

    [Fact]
    public void When_every_account_is_past_the_reserve_the_least_used_serves()
    {
        Report(0, 0.99);
        Report(1, 0.96);
        Report(2, 0.97);

        Assert.Equal([_ids[1]], Within().Select(d => d.DestinationId));
    }

    [Fact]
    public void The_reserve_is_configurable_and_windows_of_other_models_do_not_count()
    {
        Report(0, 0.85);
        Report(1, 0.99, models: ["other"]);

        Assert.Equal([_ids[1], _ids[2]], Within(reserve: 0.8).Select(d => d.DestinationId));
        Assert.Equal(3, Within(reserve: 0.9).Count);
    }

    [Theory]
    [InlineData("0.9", 0.9)]
    [InlineData("\"80%\"", 0.8)]
    [InlineData("100%", 1.0)]
    public void Quota_reserve_reads_a_share_or_a_percentage(string written, double expected)
    {
        var options = ConfigLoader.Parse($"routing: {{ quota-reserve: {written} }}\nproviders: [{{ name: p, type: openai, api-keys: [k], models: [m] }}]", "t.yaml");
        Assert.Equal(expected, options.Routing.QuotaReserve, 6);
    }

    [Fact]
    public void Quota_reserve_defaults_to_95_percent_and_rejects_nonsense()
    {
        Assert.Equal(0.95, new RoutingOptions().QuotaReserve);
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse("routing: { quota-reserve: 150% }\nproviders: [{ name: p, type: openai, api-keys: [k], models: [m] }]", "t.yaml"));
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse("routing: { quota-reserve: lots }\nproviders: [{ name: p, type: openai, api-keys: [k], models: [m] }]", "t.yaml"));
    }

    private string? Pick(params int[] available)
    {
        var cluster = Clusters.Of(_ids);
        var target = new RouteTarget(Snapshot.Providers[0], Model);
        var request = new LlmRequest(IngressRoute.All[0], Snapshot, ReadOnlyMemory<byte>.Empty, Model, stream: false, new ModelRoute(Model, [target], null));
        var context = new DefaultHttpContext();
        context.Features.Set(new AttemptFeature(request, new FailoverState(), target));
        return _policy.PickDestination(context, cluster, available.Select(i => cluster.Destinations[_ids[i]]).ToList())?.DestinationId;
    }

    [Fact]
    public void Quota_aware_spends_the_account_whose_window_resets_soonest()
    {
        Report(0, 0.2, TimeSpan.FromDays(3));
        Report(1, 0.7, TimeSpan.FromHours(1));
        Report(2, 0.1, TimeSpan.FromHours(4));

        Assert.Equal(_ids[1], Pick(0, 1, 2));
        Assert.Equal(_ids[2], Pick(0, 2));
    }

    [Fact]
    public void Quota_aware_prefers_accounts_with_data_and_takes_turns_without_any()
    {
        Assert.Equal(new string?[] { _ids[0], _ids[1], _ids[2], _ids[0] }, new[] { Pick(0, 1, 2), Pick(0, 1, 2), Pick(0, 1, 2), Pick(0, 1, 2) });
        Report(2, 0.5, TimeSpan.FromDays(1));
        Assert.Equal(_ids[2], Pick(0, 1, 2));
    }
}
