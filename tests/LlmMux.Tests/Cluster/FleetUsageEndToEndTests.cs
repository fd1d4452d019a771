using System.Net;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// Usage totals and the request log as the fleet's (issue 16): any replica shows every replica's usage and recent
/// requests, made while Redis was away too, each counted once however often replicas restart.
/// </summary>
public sealed class FleetUsageEndToEndTests
{
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
    public async Task AnyReplicaShowsTheFleetsUsageAndRequestsCountedOnceThroughOutagesAndRestarts()
    {
        await using var upstream = await FakeUpstream.StartAsync(Answer);
        await using var fleet = await OneProviderFleetAsync(upstream);
        await fleet.StartAsync(2);
        await SendAsync(fleet, 0, 2);
        await SendAsync(fleet, 1, 1);
        await ExpectFleetUsageAsync(fleet, 1, requests: 3);

        var (log, headers) = await fleet.ManagementWithHeadersAsync(0, "requests");
        Assert.Equal("fleet", headers.GetValues("X-LlmMux-Scope").Single());
        var instances = (await fleet.ManagementAsync(0, "cluster"))["instances"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(3, log.AsArray().Count);
        Assert.All(log.AsArray(), r => Assert.Contains(r!["instance"]!.GetValue<string>(), instances));
        Assert.Equal(2, log.AsArray().Select(r => r!["instance"]!.GetValue<string>()).Distinct().Count());

        // Redis away: each replica shows its own, and says so; what is served meanwhile is added when Redis returns.
        await fleet.Redis.StopAsync();
        await SendAsync(fleet, 0, 2);
        var (alone, aloneHeaders) = await fleet.ManagementWithHeadersAsync(0, "usage");
        Assert.Equal("replica", aloneHeaders.GetValues("X-LlmMux-Scope").Single());
        Assert.Equal(4, alone.AsArray().Sum(r => r!["requests"]!.GetValue<long>()));
        await fleet.Redis.StartAgainAsync();
        await ExpectFleetUsageAsync(fleet, 1, requests: 5);

        // A restarted replica goes on from what its ledger already added: nothing counted twice.
        await fleet.RestartAsync(0);
        await SendAsync(fleet, 0, 1);
        await ExpectFleetUsageAsync(fleet, 1, requests: 6);
        await ExpectFleetUsageAsync(fleet, 0, requests: 6);
    }

    [Fact]
    public async Task TheFleetsUsageIsByClientKeyAndKeepsUsageCountedBeforeKeysWere()
    {
        await using var upstream = await FakeUpstream.StartAsync(Answer);
        await using var fleet = await OneProviderFleetAsync(upstream);
        // A ledger an older llm-mux wrote, without client keys: imported into the fleet's totals as it was.
        System.IO.Directory.CreateDirectory(fleet.AuthDir(0));
        await File.WriteAllTextAsync(Path.Combine(fleet.AuthDir(0), "..", "usage.jsonl"),
            """{"day":"2026-01-05","provider":"up","account":"up/key-old","model":"m1","in":30,"out":10,"n":10}""" + "\n");
        await fleet.StartAsync(2);
        await SendAsync(fleet, 0, 1);
        await SendAsync(fleet, 1, 2);
        var keyId = "key-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ClusterFleet.MuxKey)))[..8];

        await ClusterFleet.EventuallyAsync(async () =>
        {
            var (usage, headers) = await fleet.ManagementWithHeadersAsync(1, "usage");
            var rows = usage.AsArray();
            var old = rows.Where(r => r!["client_key"] is null).ToList();
            var keyed = rows.Where(r => r!["client_key"]?.GetValue<string>() == keyId).ToList();
            return headers.GetValues("X-LlmMux-Scope").Single() == "fleet"
                && old.Count == 1 && old[0]!["requests"]!.GetValue<long>() == 10 && old[0]!["account"]!.GetValue<string>() == "up/key-old"
                && keyed.Sum(r => r!["requests"]!.GetValue<long>()) == 3 && keyed.Sum(r => r!["input_tokens"]!.GetValue<long>()) == 9
                && old.Count + keyed.Count == rows.Count
                && !usage.ToJsonString().Contains(ClusterFleet.MuxKey, StringComparison.Ordinal);
        }, "the fleet's usage by client key, with the older key-less row kept");
    }

    private static Task<ClusterFleet> OneProviderFleetAsync(FakeUpstream upstream) => ClusterFleet.CreateAsync($"""
        providers:
          - name: up
            type: openai
            base-url: {upstream.BaseUrl}
            api-keys: [sk-upstream-a]
            models: [m1]
        """);

    private static async Task SendAsync(ClusterFleet fleet, int replica, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await fleet.ChatAsync(replica, "m1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task ExpectFleetUsageAsync(ClusterFleet fleet, int replica, long requests)
    {
        string? last = null;
        try
        {
        await ClusterFleet.EventuallyAsync(async () =>
        {
            var (usage, headers) = await fleet.ManagementWithHeadersAsync(replica, "usage");
            last = headers.GetValues("X-LlmMux-Scope").Single() + usage.ToJsonString();
            var rows = usage.AsArray();
            return headers.GetValues("X-LlmMux-Scope").Single() == "fleet"
                && rows.Sum(r => r!["requests"]!.GetValue<long>()) == requests
                && rows.Sum(r => r!["input_tokens"]!.GetValue<long>()) == 3 * requests
                && rows.Sum(r => r!["output_tokens"]!.GetValue<long>()) == requests;
        }, $"replica {replica} shows the fleet's {requests} requests");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message + " last: " + last + "\n" + fleet[replica].Output);
        }
    }
}
