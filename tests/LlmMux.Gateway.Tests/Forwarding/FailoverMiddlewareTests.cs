using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmMux.Gateway.Tests.Forwarding;

/// <summary>Quota-aware account choice and failover (spec §7), asserting on what the client sees and who was called.</summary>
public sealed class FailoverMiddlewareTests : IAsyncDisposable
{
    private const string Ok = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private readonly WireMockServer _upstream = WireMockServer.Start();
    private GatewayFixture? _gateway;

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _upstream.Stop();
    }

    private async Task<GatewayFixture> StartAsync(string strategy = "fill-first", string maxWait = "0s", int keys = 2, string extra = "")
    {
        var keyList = string.Join(", ", Enumerable.Range(1, keys).Select(i => $"key-{i}"));
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {_upstream.Url}/v1
                api-keys: [{keyList}]
                strategy: {strategy}
                models: [m]
            {extra}
            routing:
              max-attempts: 4
              max-cooldown-wait: {maxWait}
            """);
        return _gateway;
    }

    private void Answer(string key, int status, string body = Ok, params (string, string)[] headers)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").WithHeader("Authorization", $"Bearer {key}")).RespondWith(response);
    }

    private List<string> KeysCalled() => _upstream.LogEntries
        .OrderBy(e => e.RequestMessage.DateTime)
        .Select(e => e.RequestMessage.Headers!["Authorization"][0]["Bearer ".Length..])
        .ToList();

    private static Task<HttpResponseMessage> ChatAsync(GatewayFixture gateway, string body = """{"model":"m","messages":[]}""", string? session = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (session is not null)
        {
            request.Headers.Add("x-session-id", session);
        }

        return gateway.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_429_moves_the_request_to_the_next_account_and_skips_the_first_until_its_reset()
    {
        var gateway = await StartAsync();
        Answer("key-1", 429, """{"error":{"message":"quota"}}""", ("Retry-After", "3600"));
        Answer("key-2", 200);

        for (var i = 0; i < 3; i++)
        {
            var response = await ChatAsync(gateway);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Ok, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(["key-1", "key-2", "key-2", "key-2"], KeysCalled());
        var accounts = gateway.Store.Current.Providers[0].Accounts;
        var state = GatewayServices<LlmMux.Gateway.Health.AccountStateStore>(gateway).Status(accounts[0].DestinationId);
        Assert.True(state.ModelCooldowns["m"] > DateTimeOffset.UtcNow.AddMinutes(59));
    }

    [Fact]
    public async Task When_every_account_is_rate_limited_the_client_gets_a_429_with_the_earliest_reset()
    {
        var gateway = await StartAsync();
        Answer("key-1", 429, """{"error":{"message":"quota"}}""", ("Retry-After", "120"));
        Answer("key-2", 429, """{"error":{"message":"quota"}}""", ("Retry-After", "60"));

        var response = await ChatAsync(gateway);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 55, 60);
        var again = await ChatAsync(gateway); // both cooling now: answered without calling the upstream
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        Assert.Equal("model_cooldown", JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(2, KeysCalled().Count);
    }

    [Fact]
    public async Task A_cooldown_that_ends_within_max_cooldown_wait_is_waited_out()
    {
        var gateway = await StartAsync(maxWait: "60s", keys: 1);
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions")).InScenario("quota").WillSetStateTo("reset")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1").WithBody("{}"));
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions")).InScenario("quota").WhenStateIs("reset")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Ok));

        var response = await ChatAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["key-1", "key-1"], KeysCalled());
    }

    [Fact]
    public async Task Fill_first_keeps_using_the_first_account()
    {
        var gateway = await StartAsync(strategy: "fill-first", keys: 3);
        Answer("key-1", 200);
        Answer("key-2", 200);
        Answer("key-3", 200);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(gateway)).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat("key-1", 5), KeysCalled());
    }

    [Fact]
    public async Task Round_robin_spreads_requests_evenly_over_the_accounts()
    {
        var gateway = await StartAsync(strategy: "round-robin", keys: 3);
        Answer("key-1", 200);
        Answer("key-2", 200);
        Answer("key-3", 200);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(gateway)).StatusCode);
        }

        var calls = KeysCalled();
        Assert.Equal(3, calls.Take(3).Distinct().Count());
        Assert.Equal(calls.Take(3), calls.Skip(3));
    }

    [Fact]
    public async Task One_conversation_sticks_to_one_account()
    {
        var gateway = await StartAsync(strategy: "round-robin", keys: 3);
        Answer("key-1", 200);
        Answer("key-2", 200);
        Answer("key-3", 200);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(gateway, session: "conversation-42")).StatusCode);
        }

        Assert.Single(KeysCalled().Distinct());
    }

    [Fact]
    public async Task A_failing_provider_hands_over_to_the_next_provider_of_the_rule()
    {
        await using var second = await FakeUpstream.StartAsync((context, _) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(Ok);
        });
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {_upstream.Url}/v1
                api-keys: [key-1]
              - name: second
                type: openai
                base-url: {second.BaseUrl}/v1
                api-keys: [key-second]
            routing:
              rules:
                - match: "m"
                  providers: [up, second]
            """);
        Answer("key-1", 503, """{"error":{"message":"overloaded"}}""");

        var response = await ChatAsync(_gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["key-1"], KeysCalled());
        Assert.Equal("Bearer key-second", Assert.Single(second.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task A_failed_anthropic_upstream_hands_an_anthropic_client_over_to_an_openai_upstream()
    {
        await using var anthropic = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 529;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");
        });
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: anthropic-keys
                type: anthropic
                base-url: {anthropic.BaseUrl}
                api-keys: [key-anthropic]
              - name: up
                type: openai
                base-url: {_upstream.Url}/v1
                api-keys: [key-1]
            routing:
              rules:
                - match: "claude-*"
                  providers: [anthropic-keys, up]
            """);
        Answer("key-1", 200);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };

        var response = await _gateway.Client.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("ok", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Single(anthropic.Requests);
        Assert.Contains("\"messages\"", Assert.Single(_upstream.LogEntries).RequestMessage.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upstream_that_hangs_before_its_headers_times_out_and_the_next_account_serves()
    {
        await using var hanging = await FakeUpstream.StartAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: slow
                type: openai
                base-url: {hanging.BaseUrl}/v1
                api-keys: [key-slow]
              - name: up
                type: openai
                base-url: {_upstream.Url}/v1
                api-keys: [key-1]
            routing:
              upstream-idle-timeout: 2s
              rules:
                - match: "m"
                  providers: [slow, up]
            """);
        Answer("key-1", 200);

        var response = await ChatAsync(_gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(hanging.Requests);
        Assert.Equal(["key-1"], KeysCalled());
    }

    [Fact]
    public async Task A_failure_after_streaming_began_ends_the_stream_with_an_error_event_and_no_retry()
    {
        var clientSawFirstEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var breaking = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}""");
            await clientSawFirstEvent.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {breaking.BaseUrl}/v1
                api-keys: [key-a, key-b]
                models: [m]
            """);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[]}""", Encoding.UTF8, "application/json"),
        };

        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var first = await reader.ReadLineAsync(timeout.Token);
        clientSawFirstEvent.SetResult();
        var rest = await reader.ReadToEndAsync(timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("data: {\"id\":\"c\"", first, StringComparison.Ordinal);
        Assert.Contains("data: {\"error\":{", rest, StringComparison.Ordinal);
        Assert.Contains("upstream_stream_broken", rest, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        Assert.Single(breaking.Requests);
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_with_random_429s_are_each_served_or_answered_429()
    {
        var calls = new ConcurrentBag<string>();
        await using var flaky = await FakeUpstream.StartAsync(async context =>
        {
            calls.Add(context.Request.Headers.Authorization.ToString());
            if (Random.Shared.Next(4) == 0)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsync("""{"error":{"message":"slow down"}}""");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Ok);
        });
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {flaky.BaseUrl}/v1
                api-keys: [key-1, key-2, key-3]
                models: [m]
            routing:
              max-cooldown-wait: 0s
            """);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => ChatAsync(_gateway)));

        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(Ok, body);
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("rate_limit_error", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString());
            }
        }

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
    }

    private static T GatewayServices<T>(GatewayFixture gateway) where T : notnull => gateway.GetService<T>();
}
