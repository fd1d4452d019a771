using System.Net;
using System.Text;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>Upstreams that send what no real API sends: endless lines, overflowing reset times, echoed keys, huge histories.</summary>
/// <remarks>Alone in its collection: the endless-line test counts the process's allocations, which other tests running
/// at the same time would add to.</remarks>
[Collection(AllocationMeasuring.Name)]
public sealed class HostileUpstreamTests
{
    private const string Ok = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string type = "openai", int keys = 1) => GatewayFixture.StartAsync($"""
        providers:
          - name: up
            type: {type}
            base-url: {upstream.BaseUrl}{(type == "openai" ? "/v1" : "")}
            api-keys: [{string.Join(", ", Enumerable.Range(1, keys).Select(i => $"sk-proj-key{i}abcdefgh"))}]
            strategy: fill-first
            models: [m]
        routing:
          max-cooldown-wait: 0s
        """);

    private static HttpRequestMessage Post(string path, string body) => new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/messages", """{"model":"m","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task An_upstream_line_that_never_ends_is_cut_with_an_error_event_in_bounded_memory(string path, string body)
    {
        const int LineBytes = 192 * 1024 * 1024;
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"");
            var block = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
            for (var sent = 0; sent < LineBytes && !context.RequestAborted.IsCancellationRequested; sent += block.Length)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        });
        await using var gateway = await StartAsync(upstream);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await gateway.Client.SendAsync(Post(path, body), HttpCompletionOption.ResponseHeadersRead);
        var (received, tail) = await DrainAsync(await response.Content.ReadAsStreamAsync());
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("larger than", tail, StringComparison.Ordinal);
        Assert.True(received < LineBytes, $"the client got {received} bytes: the line was not cut");
        // Unbounded, the framer would hold the whole line and double its buffer on the way there: over 300 MiB. Bounded,
        // it stops at the 16 MiB event limit (a few of its doublings, ~32 MiB); the margin is for the rest of the process.
        Assert.True(allocated < 128L * 1024 * 1024, $"{allocated / (1024 * 1024)} MiB allocated while relaying one endless line");
    }

    [Fact]
    public async Task A_reset_time_that_overflows_is_clamped_and_the_request_fails_over()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, recorded) =>
        {
            if (recorded.Headers["Authorization"].EndsWith("key1abcdefgh", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "99999999999999999";
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":{"message":"quota","details":[{"retryDelay":"1e20s"}]},"resets_at":99999999999999999999}""");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Ok);
        });
        await using var gateway = await StartAsync(upstream, keys: 2);

        var response = await gateway.Client.SendAsync(Post("/v1/chat/completions", """{"model":"m","messages":[]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = gateway.Store.Current.Providers[0].Accounts[0].DestinationId;
        var until = gateway.GetService<AccountStateStore>().Status(first).ModelCooldowns["m"];
        Assert.InRange(until, DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(31));
    }

    [Fact]
    public async Task An_upstream_that_echoes_the_key_never_shows_it_to_the_client()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, recorded) =>
        {
            var key = recorded.Headers["Authorization"]["Bearer ".Length..];
            context.Response.StatusCode = recorded.Body.Contains("bad", StringComparison.Ordinal) ? 400 : 401;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""{"error":{"message":"Incorrect API key provided: {{{key}}}. You can find your API key at https://example.com.","type":"invalid_request_error"}}""");
        });
        await using var gateway = await StartAsync(upstream, keys: 2);

        var passed = await gateway.Client.SendAsync(Post("/v1/chat/completions", """{"model":"m","messages":[],"bad":true}"""));
        var translated = await gateway.Client.SendAsync(Post("/v1/messages", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"bad"}]}"""));
        var exhausted = await gateway.Client.SendAsync(Post("/v1/chat/completions", """{"model":"m","messages":[]}"""));

        foreach (var response in new[] { passed, exhausted, translated })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("key1abcdefgh", text, StringComparison.Ordinal);
            Assert.DoesNotContain("key2abcdefgh", text, StringComparison.Ordinal);
            Assert.Contains("[redacted]", text, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.BadRequest, passed.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, exhausted.StatusCode);
    }

    [Fact]
    public async Task A_forty_thousand_call_tool_history_is_translated_and_repaired_in_one_pass()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"done"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}""");
        });
        await using var gateway = await StartAsync(upstream, type: "anthropic");
        var body = new StringBuilder("""{"model":"m","messages":[{"role":"user","content":"go"}""");
        for (var turn = 0; turn < 40; turn++)
        {
            body.Append(""",{"role":"assistant","content":null,"tool_calls":[""");
            for (var i = 0; i < 1000; i++)
            {
                body.Append(i == 0 ? "" : ",").Append($$$"""{"id":"call_{{{turn}}}_{{{i}}}","type":"function","function":{"name":"ls","arguments":"{}"}}""");
            }

            body.Append("]}");
            for (var i = 0; i < 1000; i++)
            {
                // Every tenth result is missing: the repair adds them, linearly.
                if (i % 10 != 9)
                {
                    body.Append($$""",{"role":"tool","tool_call_id":"call_{{turn}}_{{i}}","content":"ok"}""");
                }
            }
        }

        body.Append("]}");

        var response = await gateway.Client.SendAsync(Post("/v1/chat/completions", body.ToString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(upstream.Requests).Body;
        Assert.Equal(40_000, CountOf(sent, "\"type\":\"tool_use\""));
        Assert.Equal(40_000, CountOf(sent, "\"type\":\"tool_result\""));
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<(long Received, string Tail)> DrainAsync(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        var tail = new List<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received += read;
            tail.AddRange(buffer.AsSpan(0, read).ToArray());
            if (tail.Count > 8192)
            {
                tail.RemoveRange(0, tail.Count - 8192);
            }
        }

        return (received, Encoding.UTF8.GetString(tail.ToArray()));
    }
}

/// <summary>Tests that measure the whole process's allocations run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuring
{
    public const string Name = "allocation-measuring";
}
