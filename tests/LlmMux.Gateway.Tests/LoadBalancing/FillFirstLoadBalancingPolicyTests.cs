using LlmMux.Gateway.LoadBalancing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.LoadBalancing;

public sealed class FillFirstLoadBalancingPolicyTests
{
    private readonly FillFirstLoadBalancingPolicy _policy = new();

    [Fact]
    public void Takes_the_first_available_account_in_file_order_not_by_id()
    {
        var cluster = Clusters.Of("zz", "mm", "aa");
        // YARP hands the available list in any order (it is keyed by id); the file's order decides.
        var picked = _policy.PickDestination(new DefaultHttpContext(), cluster, Clusters.Available(cluster, "aa", "mm", "zz"));
        Assert.Equal("zz", picked?.DestinationId);
    }

    [Fact]
    public void Moves_to_the_next_in_file_order_while_the_first_is_out()
    {
        var cluster = Clusters.Of("zz", "mm", "aa");
        Assert.Equal("mm", _policy.PickDestination(new DefaultHttpContext(), cluster, Clusters.Available(cluster, "aa", "mm"))?.DestinationId);
    }

    [Fact]
    public void Nothing_available_picks_nothing()
        => Assert.Null(_policy.PickDestination(new DefaultHttpContext(), Clusters.Of("a"), []));
}
