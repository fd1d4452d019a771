using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Routing;
using LlmMux.Gateway.Streaming;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Tests.Health;

/// <summary>What each <see cref="AttemptResult"/> does to the account, and to the request's cooldown budget.</summary>
public sealed class CooldownHealthPolicyTests
{
    private const string Model = "gpt-x";

    private static readonly GatewaySnapshot Snapshot = new(ConfigLoader.Parse("""
        providers:
          - { name: p, type: openai, api-keys: [sk-one], models: [gpt-x] }
        """, "t.yaml"), 1);

    private readonly AccountStateStore _store = new(TimeProvider.System);
    private readonly Updater _updater = new();
    private readonly FailoverState _failover = new();
    private readonly DestinationState _destination = new(Snapshot.Providers[0].Accounts[0].DestinationId);

    private static readonly Dictionary<string, AttemptResult> Results = new()
    {
        ["succeeded"] = AttemptResult.Succeeded.Instance,
        ["client error"] = new AttemptResult.ClientError(404),
        ["unusable"] = new AttemptResult.Unusable(502),
        ["429 with reset"] = new AttemptResult.RateLimited("", DateTimeOffset.UtcNow.AddHours(1)),
        ["429"] = new AttemptResult.RateLimited("", null),
        ["401 login"] = new AttemptResult.CredentialRejected(401, "", Certain: true, StaleLoginToken: true),
        ["401 key"] = new AttemptResult.CredentialRejected(401, "", Certain: true, StaleLoginToken: false),
        ["403 credential"] = new AttemptResult.CredentialRejected(403, "", Certain: false, StaleLoginToken: false),
        ["403 model"] = new AttemptResult.ModelDenied(""),
        ["503"] = new AttemptResult.UpstreamFailed(503, ""),
        ["connect failed"] = new AttemptResult.Transport(new Failure(ForwarderError.Request, null), BlamesUpstream: true),
        ["client went away"] = new AttemptResult.Transport(new Failure(ForwarderError.ResponseBodyClient, null), BlamesUpstream: false),
        ["stream stalled"] = new AttemptResult.StreamFailed(UpstreamStreamFault.Stalled, BlamesUpstream: true),
        ["stream broken, client gone"] = new AttemptResult.StreamFailed(UpstreamStreamFault.Broken, BlamesUpstream: false),
    };

    private sealed record Failure(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;

    [Theory]
    // result, budget left before, expected account state, model cooled, marked unhealthy in YARP, budget spent
    [InlineData("succeeded", 2, "Ready", false, false, false)]
    [InlineData("client error", 2, "Ready", false, false, false)]
    [InlineData("unusable", 2, "Ready", false, false, false)]
    [InlineData("429 with reset", 0, "Ready", true, false, false)]
    [InlineData("429", 2, "Ready", true, false, true)]
    [InlineData("429", 0, "Ready", false, false, false)]
    [InlineData("401 login", 2, "Ready", false, false, false)]
    [InlineData("401 key", 0, "KeyRejected", false, true, false)]
    [InlineData("403 credential", 2, "KeyRejected", false, true, true)]
    [InlineData("403 credential", 0, "Ready", false, false, false)]
    [InlineData("403 model", 2, "Ready", true, false, true)]
    [InlineData("403 model", 0, "Ready", false, false, false)]
    [InlineData("503", 2, "CoolingDown", false, true, true)]
    [InlineData("503", 0, "Ready", false, false, false)]
    [InlineData("connect failed", 2, "CoolingDown", false, true, true)]
    [InlineData("client went away", 2, "Ready", false, false, false)]
    [InlineData("stream stalled", 2, "CoolingDown", false, true, true)]
    [InlineData("stream broken, client gone", 2, "Ready", false, false, false)]
    public void Each_result_cools_what_the_account_did_within_the_requests_budget(string result, int budget, string state, bool modelCooled, bool unhealthy, bool spent)
    {
        for (var i = budget; i < FailoverState.MaxCooldownsPerRequest; i++)
        {
            Assert.True(_failover.TakeCooldown());
        }

        Proxied(Results[result]);

        var status = _store.Status(_destination.DestinationId);
        Assert.Equal(state, status.State.ToString());
        Assert.Equal(modelCooled, status.ModelCooldowns.ContainsKey(Model));
        Assert.Equal(unhealthy, _updater.Unhealthy);
        Assert.Equal(1, status.RequestsLastMinute);
        var left = 0;
        while (_failover.TakeCooldown())
        {
            left++;
        }

        Assert.Equal(spent ? budget - 1 : budget, left);
    }

    [Fact]
    public void One_request_cools_at_most_two_accounts_for_failures_it_may_have_provoked()
    {
        Proxied(new AttemptResult.UpstreamFailed(500, ""));
        Proxied(new AttemptResult.UpstreamFailed(500, ""), new DestinationState("p/b"));
        _updater.Unhealthy = false;

        Proxied(new AttemptResult.UpstreamFailed(500, ""), new DestinationState("p/c"));

        Assert.False(_updater.Unhealthy);
        Assert.Equal(AccountCondition.Ready, _store.Status("p/c").State);
    }

    private void Proxied(AttemptResult result, DestinationState? destination = null)
    {
        var target = new RouteTarget(Snapshot.Providers[0], Model);
        var request = new LlmRequest(IngressRoute.All[0], Snapshot, ReadOnlyMemory<byte>.Empty, Model, stream: false, new ModelRoute(Model, [target], null));
        var context = new DefaultHttpContext();
        context.Features.Set(new AttemptFeature(request, _failover, target) { Result = result });
        new CooldownHealthPolicy(_store, _updater).RequestProxied(context, new ClusterState("p"), destination ?? _destination);
    }

    private sealed class Updater : IDestinationHealthUpdater
    {
        public bool Unhealthy { get; set; }

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod)
            => Unhealthy |= newHealth == DestinationHealth.Unhealthy;
    }
}
