using System.Net;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// Request-path state held as one fleet (issue 16): a client key's requests per minute count across the replicas, and
/// least-busy weighs the requests other replicas have in flight.
/// </summary>
public sealed class FleetLimitsEndToEndTests
{
    private const string KeyA = "sk-upstream-a";
    private const string KeyB = "sk-upstream-b";

    private static Task Answer(HttpContext context) => context.Response.WriteAsJsonAsync(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        created = 1,
        model = "m1",
        choices = new[] { new { index = 0, message = new { role = "assistant", content = "hi" }, finish_reason = "stop" } },
        usage = new { prompt_tokens = 3, completion_tokens = 1, total_tokens = 4 },
    });

    [Fact]
    public async Task AClientKeyLimitedToNAMinuteGetsNAcrossThreeReplicasNotThreeN()
    {
        await using var upstream = await FakeUpstream.StartAsync(Answer);
        await using var fleet = await ClusterFleet.CreateAsync($"""
            limits:
              requests-per-minute: 4
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}
                api-keys: [{KeyA}]
                models: [m1]
            """);
        await fleet.StartAsync(3);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 9; i++)
        {
            var response = await fleet.ChatAsync(i % 3, "m1");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused?.Dispose();
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(4));
        Assert.All(statuses.Skip(4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 }, "Retry-After in seconds, within the minute");
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("client_rate_limited", error["code"]!.GetValue<string>());
            Assert.Equal("rate_limit_error", error["type"]!.GetValue<string>());
        }

        lock (upstream.Requests)
        {
            Assert.Equal(4, upstream.Requests.Count(r => r.Method == "POST"));
        }
    }

    [Fact]
    public async Task WithRedisGoneEachReplicaStillHoldsTheLimitByItsOwnWindow()
    {
        await using var upstream = await FakeUpstream.StartAsync(Answer);
        await using var fleet = await ClusterFleet.CreateAsync($"""
            limits:
              requests-per-minute: 3
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}
                api-keys: [{KeyA}]
                models: [m1]
            """);
        await fleet.StartAsync(2);

        // Two through the fleet's window, on replica 0; then Redis goes away.
        for (var i = 0; i < 2; i++)
        {
            using var response = await fleet.ChatAsync(0, "m1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await fleet.Redis.StopAsync();

        // Replica 0 counts what it already admitted (one left); replica 1 its own three. Nothing fails for Redis.
        var zero = new List<HttpStatusCode>();
        var one = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using (var response = await fleet.ChatAsync(0, "m1"))
            {
                zero.Add(response.StatusCode);
            }

            using (var response = await fleet.ChatAsync(1, "m1"))
            {
                one.Add(response.StatusCode);
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], zero);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], one);
    }

    [Fact]
    public async Task EachReplicaShowsTheFleetsRequestAndTokenCountsPerAccount()
    {
        await using var upstream = await FakeUpstream.StartAsync(Answer);
        await using var fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}
                api-keys: [{KeyA}]
                models: [m1]
            """);
        await fleet.StartAsync(2);
        for (var i = 0; i < 3; i++)
        {
            using var response = await fleet.ChatAsync(i == 2 ? 1 : 0, "m1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Replica 1 sent one itself; the fleet sent three, four tokens each.
        await ClusterFleet.EventuallyAsync(async () =>
        {
            var account = (await fleet.ManagementAsync(1, "accounts")).AsArray().Single(a => a?["provider"]?.GetValue<string>() == "up")!;
            return account["requests_last_day"]!.GetValue<long>() == 1
                && account["fleet"]?["requests_last_day"]?.GetValue<long>() == 3
                && account["fleet"]?["tokens_last_day"]?.GetValue<long>() == 12;
        }, "replica 1 shows the fleet's counts");
    }

    [Fact]
    public async Task LeastBusyCountsWhatOtherReplicasHaveInFlight()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Headers.Authorization.ToString() == "Bearer " + KeyA)
            {
                heldArrived.TrySetResult();
                await release.Task;
            }

            await Answer(context);
        });
        await using var fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}
                strategy: least-busy
                api-keys: [{KeyA}, {KeyB}]
                models: [m1]
            """);
        await fleet.StartAsync(2);

        try
        {
            // Nothing in flight anywhere: replica 0 takes the first account, A, which holds the answer.
            var held = fleet.ChatAsync(0, "m1");
            await heldArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await ClusterFleet.EventuallyAsync(async () => await FleetInFlightOf(fleet, 1, KeyA) == 1, "replica 1 sees replica 0's request in flight on A");

            // Alone, replica 1 would take A too (a tie goes to the first); counting the fleet, it takes B.
            using (var next = await fleet.ChatAsync(1, "m1"))
            {
                Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            }

            Assert.Equal(1, CallsWith(upstream, KeyB));
            Assert.Equal(1, CallsWith(upstream, KeyA));

            release.TrySetResult();
            using (var answered = await held)
            {
                Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            }

            // Finished: the count goes back to nothing, and so does a crashed replica's (its lease expires).
            await ClusterFleet.EventuallyAsync(async () => await FleetInFlightOf(fleet, 1, KeyA) == 0, "replica 0's finished request leaves the fleet count");
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task ACrashedReplicasInFlightCountsExpireOnTheirOwn()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            await release.Task;
            await Answer(context);
        });
        await using var fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}
                strategy: least-busy
                api-keys: [{KeyA}, {KeyB}]
                models: [m1]
            """);
        await fleet.StartAsync(2);
        try
        {
            var held = fleet.ChatAsync(0, "m1");
            await ClusterFleet.EventuallyAsync(async () => await FleetInFlightOf(fleet, 1, KeyA) == 1, "replica 1 sees replica 0's request in flight");

            // Replica 0 dies with the request open: nobody removes its count, the lease runs out.
            await fleet[0].DisposeAsync();
            await ClusterFleet.EventuallyAsync(async () => await FleetInFlightOf(fleet, 1, KeyA) == 0, "the dead replica's count expires");
            await Assert.ThrowsAnyAsync<Exception>(async () => (await held).Dispose());
        }
        finally
        {
            release.TrySetResult();
        }
    }

    private static int CallsWith(FakeUpstream upstream, string key)
    {
        lock (upstream.Requests)
        {
            return upstream.Requests.Count(r => r.Method == "POST" && r.Headers.TryGetValue("Authorization", out var a) && a == "Bearer " + key);
        }
    }

    /// <summary>What replica <paramref name="replica"/> believes the fleet has in flight on the account with <paramref name="key"/>.</summary>
    private static async Task<long> FleetInFlightOf(ClusterFleet fleet, int replica, string key)
    {
        var accounts = (await fleet.ManagementAsync(replica, "accounts")).AsArray();
        var index = key == KeyA ? 0 : 1;
        var ours = accounts.Where(a => a?["provider"]?.GetValue<string>() == "up").ToList();
        return ours[index]?["fleet"]?["in_flight"]?.GetValue<long>() ?? 0;
    }
}
