using System.Text.Json.Nodes;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// The instance registry and Redis's credentials (issue 16): replicas that reach a password-protected Redis list each
/// other at <c>GET /v0/management/cluster</c>; one given the wrong password serves on its own and says so.
/// </summary>
public sealed class ClusterMembershipEndToEndTests
{
    private const string Password = "redis-pass-0123456789";

    [Fact]
    public async Task Replicas_list_each_other_with_version_and_config_hash_and_leave_when_they_stop()
    {
        await using var fleet = await ClusterFleet.CreateAsync("providers: []", redisPassword: Password);
        await fleet.StartAsync(2, new Dictionary<string, string> { ["LLM_MUX_REDIS_PASSWORD"] = Password });

        JsonNode view = null!;
        await ClusterFleet.EventuallyAsync(async () => (view = await fleet.ManagementAsync(0, "cluster"))["instances"]!.AsArray().Count == 2, "both replicas are listed");
        Assert.True(view["enabled"]!.GetValue<bool>());
        Assert.True(view["connected"]!.GetValue<bool>());
        Assert.Equal(fleet.Namespace, view["namespace"]!.GetValue<string>());
        Assert.Equal($"redis://127.0.0.1:{fleet.Redis.Port}", view["redis"]!.GetValue<string>());
        var instances = view["instances"]!.AsArray();
        Assert.Single(instances.Select(i => i!["config_hash"]!.GetValue<string>()).Distinct());
        Assert.All(instances, i => Assert.False(i!["stale"]!.GetValue<bool>()));
        Assert.Contains(instances, i => i!["id"]!.GetValue<string>() == view["self"]!.GetValue<string>());
        Assert.DoesNotContain(Password, view.ToJsonString(), StringComparison.Ordinal);

        // A replica that stops cleanly takes itself out of the registry.
        await fleet[1].StopAsync();
        await ClusterFleet.EventuallyAsync(async () => (await fleet.ManagementAsync(0, "cluster"))["instances"]!.AsArray().Count == 1, "the stopped replica leaves");
    }

    [Fact]
    public async Task Replicas_reach_a_TLS_only_redis_that_a_private_CA_signed()
    {
        await using var fleet = await ClusterFleet.CreateAsync("providers: []", redisPassword: Password, redisTls: true);
        await fleet.StartAsync(2, new Dictionary<string, string> { ["LLM_MUX_REDIS_PASSWORD"] = Password });

        JsonNode view = null!;
        await ClusterFleet.EventuallyAsync(async () => (view = await fleet.ManagementAsync(1, "cluster"))["instances"]!.AsArray().Count == 2, "both replicas are listed over TLS");
        Assert.True(view["connected"]!.GetValue<bool>());
        Assert.Equal($"rediss://127.0.0.1:{fleet.Redis.Port}", view["redis"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_redis_certificate_the_replica_cannot_trust_leaves_it_serving_alone()
    {
        await using var fleet = await ClusterFleet.CreateAsync("providers: []", redisTls: true, trustRedisCa: false);
        await fleet.StartAsync(1);

        using var http = new HttpClient();
        var ready = JsonNode.Parse(await http.GetStringAsync(fleet[0].BaseUrl + "/readyz"))!;
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        Assert.Equal("unavailable", ready["cluster"]!["redis"]!.GetValue<string>());
        Assert.False((await fleet.ManagementAsync(0, "cluster"))["connected"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_replica_with_the_wrong_password_serves_alone_and_says_why_nowhere_but_its_log_and_readyz()
    {
        await using var fleet = await ClusterFleet.CreateAsync("providers: []", redisPassword: Password);
        await fleet.StartAsync(1, new Dictionary<string, string> { ["LLM_MUX_REDIS_PASSWORD"] = "wrong-password-1" });

        using var http = new HttpClient();
        var ready = JsonNode.Parse(await http.GetStringAsync(fleet[0].BaseUrl + "/readyz"))!;
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        Assert.Equal("unavailable", ready["cluster"]!["redis"]!.GetValue<string>());
        var view = await fleet.ManagementAsync(0, "cluster");
        Assert.False(view["connected"]!.GetValue<bool>());
        Assert.Single(view["instances"]!.AsArray());
        Assert.DoesNotContain("wrong-password-1", fleet[0].Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replicas_started_before_their_redis_join_the_fleet_when_it_comes_up()
    {
        await using var fleet = await ClusterFleet.CreateAsync("providers: []");
        await fleet.Redis.StopAsync();
        await fleet.StartAsync(2);
        Assert.False((await fleet.ManagementAsync(0, "cluster"))["connected"]!.GetValue<bool>());

        await fleet.Redis.StartAgainAsync();
        await ClusterFleet.EventuallyAsync(async () => (await fleet.ManagementAsync(1, "cluster"))["instances"]!.AsArray().Count == 2, "both replicas join once Redis is up");
        await ClusterFleet.EventuallyAsync(async () => await SubscribersAsync(fleet) == "2", "both replicas listen on the fleet's channel");
    }

    /// <summary>How many replicas listen on the fleet's channel (they subscribe when Redis comes up, not only at start).</summary>
    private static async Task<string> SubscribersAsync(ClusterFleet fleet)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, fleet.Redis.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"PUBSUB NUMSUB {fleet.Namespace}:events\r\n"));
        var buffer = new byte[1024];
        var text = "";
        while (text.Split("\r\n").Length < 5)
        {
            var read = await stream.ReadAsync(buffer);
            text += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        }

        return text.Split("\r\n")[3].TrimStart(':');
    }
}
