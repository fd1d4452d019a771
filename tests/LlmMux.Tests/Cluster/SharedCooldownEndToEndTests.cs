using System.Net;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// Cooldowns held as one fleet (issue 16): an account that answers 429 through one replica is not called by the others
/// until its reset, and a replica that was away (or Redis that was) catches up.
/// </summary>
public sealed class SharedCooldownEndToEndTests : IAsyncLifetime
{
    private const string KeyA = "sk-upstream-a";
    private const string KeyB = "sk-upstream-b";

    private FakeUpstream _upstream = null!;
    private ClusterFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        // Account A is out of quota for an hour; B serves.
        _upstream = await FakeUpstream.StartAsync(async context =>
        {
            var key = context.Request.Headers.Authorization.ToString();
            if (key == "Bearer " + KeyA)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers["retry-after"] = "3600";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached", type = "rate_limit_error" } });
                return;
            }

            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-1",
                @object = "chat.completion",
                created = 1,
                model = "m1",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "hi" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 3, completion_tokens = 1, total_tokens = 4 },
            });
        });
        _fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}
                strategy: fill-first
                api-keys: [{KeyA}, {KeyB}]
                models: [m1]
            """);
        await _fleet.StartAsync(3);
    }

    private int CallsWith(string key)
    {
        lock (_upstream.Requests)
        {
            return _upstream.Requests.Count(r => r.Headers.TryGetValue("Authorization", out var a) && a == "Bearer " + key);
        }
    }

    [Fact]
    public async Task A429ThroughOneReplicaRestsTheAccountOnAllOfThem()
    {
        // fill-first puts A first everywhere: replica 0 meets its 429 and fails over to B.
        using (var first = await _fleet.ChatAsync(0, "m1"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.Equal(1, CallsWith(KeyA));
        foreach (var replica in new[] { 1, 2 })
        {
            await ClusterFleet.EventuallyAsync(async () => await CoolingOn(replica), $"replica {replica} learns that A is cooling");
        }

        for (var i = 0; i < 6; i++)
        {
            using var response = await _fleet.ChatAsync(i % 3, "m1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, CallsWith(KeyA));
        Assert.Equal(7, CallsWith(KeyB));

        // The block is in Redis with its reset, so a replica that starts later knows it too.
        await _fleet.StartAsync(4);
        await ClusterFleet.EventuallyAsync(async () => await CoolingOn(3), "a replica started later reads the block");
        using (var late = await _fleet.ChatAsync(3, "m1"))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        }

        Assert.Equal(1, CallsWith(KeyA));
    }

    [Fact]
    public async Task ReplicasServeWhileRedisIsDownAndConvergeWhenItReturns()
    {
        await _fleet.Redis.StopAsync();
        await ClusterFleet.EventuallyAsync(async () => (await Ready(0))["cluster"]!["redis"]!.GetValue<string>() == "unavailable", "replica 0 notices Redis is gone");

        // No request fails because Redis is away: replica 0 meets A's 429 and fails over, on its own state.
        for (var i = 0; i < 3; i++)
        {
            using var response = await _fleet.ChatAsync(0, "m1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, CallsWith(KeyA));
        Assert.False(await CoolingOn(1));

        await _fleet.Redis.StartAgainAsync();
        await ClusterFleet.EventuallyAsync(async () => (await Ready(1))["cluster"]!["redis"]!.GetValue<string>() == "connected", "replica 1 reconnects");

        // Only replica 0 saw A's 429, while cut off: once Redis is back it pushes the block and the others read it.
        foreach (var replica in new[] { 1, 2 })
        {
            await ClusterFleet.EventuallyAsync(async () => await CoolingOn(replica), $"replica {replica} holds A's block");
        }

        await ClusterFleet.EventuallyAsync(async () => await CoolKeys() > 0, "the block is back in Redis (Redis lost everything when it was killed)");
        for (var i = 0; i < 3; i++)
        {
            using var response = await _fleet.ChatAsync(i, "m1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, CallsWith(KeyA));
    }

    private async Task<int> CoolKeys()
    {
        var reply = await _fleet.Redis.CommandAsync($"KEYS {_fleet.Namespace}:cool:*");
        return reply is { Length: > 1 } && reply[0] == '*' ? int.Parse(reply[1..], System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private async Task<JsonNode> Ready(int replica)
    {
        using var http = new HttpClient();
        return JsonNode.Parse(await http.GetStringAsync(_fleet[replica].BaseUrl + "/readyz"))!;
    }

    /// <summary>Whether the replica's management API shows an account of <c>up</c> cooling for m1 (A is the only one that can be).</summary>
    private async Task<bool> CoolingOn(int replica)
    {
        var accounts = (await _fleet.ManagementAsync(replica, "accounts")).AsArray();
        return accounts.Any(a => a?["provider"]?.GetValue<string>() == "up"
            && (a["model_cooldowns"] is JsonObject { Count: > 0 } || a["state"]?.GetValue<string>() is "cooling_down"));
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
