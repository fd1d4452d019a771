using System.Net;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// A conversation stays on one account whichever replica the load balancer sends its turns to (issue 16): the choice
/// is the same rendezvous hash everywhere, and shared cooldowns make every replica see the same accounts.
/// </summary>
public sealed class StickySessionEndToEndTests
{
    [Fact]
    public async Task Each_conversation_keeps_its_account_across_replicas_and_moves_together_when_it_cools()
    {
        string[] keys = ["sk-s-1", "sk-s-2", "sk-s-3", "sk-s-4"];
        var limited = "";
        var limitedCalls = 0;
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            var key = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
            if (key == Volatile.Read(ref limited))
            {
                Interlocked.Increment(ref limitedCalls);
                context.Response.StatusCode = 429;
                context.Response.Headers["retry-after"] = "3600";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached", type = "rate_limit_error" } });
                return;
            }

            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-1", @object = "chat.completion", created = 1, model = "m1",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = key }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 3, completion_tokens = 1, total_tokens = 4 },
            });
        });
        await using var fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}
                api-keys: [{string.Join(", ", keys)}]
                models: [m1]
            """);
        await fleet.StartAsync(3);

        async Task<string> AccountOf(int replica, string session)
        {
            using var response = await fleet.ChatAsync(replica, "m1", session: session);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        }

        var sessions = Enumerable.Range(0, 8).Select(i => $"conversation-{i}").ToList();
        var home = new Dictionary<string, string>();
        foreach (var session in sessions)
        {
            home[session] = await AccountOf(0, session);
            foreach (var replica in new[] { 1, 2, 1, 0, 2 })
            {
                Assert.Equal(home[session], await AccountOf(replica, session));
            }
        }

        Assert.True(home.Values.Distinct().Count() > 1, "the conversations spread over the accounts");

        // One conversation's account starts answering 429: it moves, and lands on the same new account on every replica.
        var moved = sessions[0];
        Volatile.Write(ref limited, home[moved]);
        var next = await AccountOf(1, moved);
        Assert.NotEqual(home[moved], next);
        Assert.Equal(1, limitedCalls);

        // The others learn the cooldown from the fleet, so they move the conversation without asking the account again.
        foreach (var replica in new[] { 0, 2 })
        {
            await ClusterFleet.EventuallyAsync(async () => (await fleet.ManagementAsync(replica, "accounts")).AsArray()
                .Any(a => a?["model_cooldowns"] is System.Text.Json.Nodes.JsonObject { Count: > 0 }), $"replica {replica} learns of the cooldown");
        }

        foreach (var replica in new[] { 0, 2, 1 })
        {
            Assert.Equal(next, await AccountOf(replica, moved));
        }

        Assert.Equal(1, limitedCalls);
    }
}
