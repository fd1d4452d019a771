using System.Net;
using LlmMux.Gateway.Cluster;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Tests.EndToEnd;
using static LlmMux.Gateway.Tests.Faults.ManagementHardeningTests;

namespace LlmMux.Gateway.Tests.Cluster;

/// <summary><c>cluster:</c> in the file and the environment, its validation, and its secrets in the management API.</summary>
public sealed class ClusterConfigTests
{
    [Fact]
    public void The_block_is_read_and_the_environment_wins()
    {
        var file = ConfigLoader.Parse("""
            cluster:
              redis: "redis://redis.internal:6380/2"
              namespace: team-a
              password: from-file
              tls: true
              encryption-key: key-from-file
              instance-name: east-1
            """, "t.yaml");
        Assert.Equal(new ClusterOptions { Redis = "redis://redis.internal:6380/2", Namespace = "team-a", Password = "from-file", Tls = true, EncryptionKey = "key-from-file", InstanceName = "east-1" }, file.Cluster);

        var env = new Dictionary<string, string> { ["LLM_MUX_REDIS"] = "rediss://other:6379", ["LLM_MUX_REDIS_PASSWORD"] = "from-env", ["LLM_MUX_CLUSTER_KEY"] = "key-from-env" };
        var applied = ConfigOverrides.FromEnvironment(n => env.GetValueOrDefault(n)).ApplyTo(file).Cluster;
        Assert.Equal(("rediss://other:6379", "from-env", "key-from-env", "team-a"), (applied.Redis, applied.Password, applied.EncryptionKey, applied.Namespace));
        Assert.False(new ClusterOptions().Enabled);
    }

    [Theory]
    [InlineData("cluster:\n  redis: \"http://redis:6379\"\n", "t.yaml: line 2: cluster.redis: must start with redis:// or rediss://")]
    [InlineData("cluster:\n  redis: \"redis://host:6379/x\"\n", "t.yaml: line 2: cluster.redis: the path may only be a database number")]
    [InlineData("cluster:\n  redis: \"redis://host\"\n  namespace: \"a b\"\n", "t.yaml: line 3: cluster.namespace: must be a non-empty name")]
    [InlineData("cluster:\n  redis: \"redis://host\"\n  namspace: x\n", "t.yaml: line 3, column 3: unknown key 'namspace'")]
    [InlineData("cluster:\n  redis: \"rediss://host\"\n  tls-ca: /no/such/ca.pem\n", "t.yaml: line 3: cluster.tls-ca: no such file: /no/such/ca.pem")]
    public void Mistakes_are_config_errors_with_their_line(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "t.yaml"));
        Assert.StartsWith(expectedStart, ex.Errors.Count > 0 ? ex.Errors[0] : ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_url_becomes_client_options_without_losing_user_password_database_or_tls()
    {
        var full = RedisUrl.ToConfiguration(new ClusterOptions { Redis = "rediss://app:p%40ss@cache.example:6390/3" });
        Assert.Equal(("app", "p@ss", 3, true), (full.User, full.Password, full.DefaultDatabase, full.Ssl));
        Assert.Equal("cache.example:6390", full.EndPoints.Single().ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal));
        Assert.False(full.AbortOnConnectFail);

        var lone = RedisUrl.ToConfiguration(new ClusterOptions { Redis = "redis://only-password@h", Password = "" });
        Assert.Equal((null, "only-password", false), (lone.User, lone.Password, lone.Ssl));
        Assert.Equal("redis://h:6379", RedisUrl.Display("redis://u:secret@h"));
    }

    [Fact]
    public void Its_secrets_are_redacted_and_restore()
    {
        const string yaml = """
            cluster:
              redis: "redis://fleet:redis-pass-1@redis:6379"
              password: redis-pass-2
              encryption-key: cluster-key-3
            """;
        var redacted = ConfigRedaction.Redact(yaml);
        foreach (var secret in new[] { "redis-pass-1", "redis-pass-2", "cluster-key-3" })
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }

        Assert.Equal(ConfigLoader.Parse(yaml, "t").Cluster, ConfigLoader.Parse(ConfigRedaction.Restore(redacted, ConfigRedaction.Secrets(yaml), "t"), "t").Cluster);
    }

    [Fact]
    public async Task Management_cannot_point_the_fleet_at_another_redis()
    {
        await using var gateway = await GatewayFixture.StartAsync("management:\n  secret-key: \"" + Secret + "\"\n");
        using var get = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/config", null));
        var yaml = System.Text.Json.Nodes.JsonNode.Parse(await get.Content.ReadAsStringAsync())!["yaml"]!.GetValue<string>();
        using var put = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml + "\ncluster:\n  redis: \"redis://attacker.example:6379\"\n"));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("refused: cluster", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_redis_the_cluster_view_is_this_replica_alone_and_readyz_says_nothing_of_it()
    {
        await using var gateway = await GatewayFixture.StartAsync("management:\n  secret-key: \"" + Secret + "\"\n");
        using var view = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/cluster", null));
        var json = System.Text.Json.Nodes.JsonNode.Parse(await view.Content.ReadAsStringAsync())!;
        Assert.False(json["enabled"]!.GetValue<bool>());
        Assert.Single(json["instances"]!.AsArray());
        Assert.Equal(json["self"]!.GetValue<string>(), json["instances"]![0]!["id"]!.GetValue<string>());
        Assert.DoesNotContain("cluster", await gateway.Client.GetStringAsync("/readyz"), StringComparison.Ordinal);
    }
}
