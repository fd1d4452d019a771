using System.Net;
using System.Text;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Tests.EndToEnd;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmMux.Gateway.Tests.Rules;

/// <summary>Error rules against the failover loop and passive health: what the client gets, who was called, what rests.</summary>
public sealed class ErrorRulesFailoverTests : IAsyncDisposable
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

    private async Task<GatewayFixture> StartAsync(string rules)
    {
        _gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {_upstream.Url}/v1
                api-keys: [key-1, key-2]
                strategy: fill-first
                models: [m]
            {rules}
            """);
        return _gateway;
    }

    private void Answer(string key, int status, string body = Ok) => _upstream
        .Given(Request.Create().WithPath("/v1/chat/completions").WithHeader("Authorization", $"Bearer {key}"))
        .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

    private List<string> KeysCalled() => _upstream.LogEntries
        .OrderBy(e => e.RequestMessage.DateTime)
        .Select(e => e.RequestMessage.Headers!["Authorization"][0]["Bearer ".Length..])
        .ToList();

    private static Task<HttpResponseMessage> ChatAsync(GatewayFixture gateway)
        => gateway.Client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_cooldown_then_stop_returns_the_error_and_rests_the_whole_account()
    {
        var gateway = await StartAsync("""
            error-rules:
              - status: 500
                contains: region unavailable
                action: cooldown
                cooldown: 10m
                scope: account
                then: stop
            """);
        Answer("key-1", 500, """{"error":{"message":"region unavailable for this project"}}""");
        Answer("key-2", 200);

        using var first = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Contains("region unavailable", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var second = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        Assert.Equal(["key-1", "key-2"], KeysCalled());
        var status = gateway.GetService<AccountStateStore>().Status("up/" + LlmMux.Gateway.Configuration.GatewaySnapshot.AccountIdFor("key-1"));
        Assert.Equal(AccountCondition.CoolingDown, status.State);
    }

    [Fact]
    public async Task A_next_rule_overrides_the_built_in_429_cooldown()
    {
        var gateway = await StartAsync("""
            error-rules:
              - status: 429
                contains: try the next one
                action: next
            """);
        Answer("key-1", 429, """{"error":{"message":"busy, try the next one"}}""");
        Answer("key-2", 200);

        using var first = await ChatAsync(gateway);
        using var second = await ChatAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(["key-1", "key-2", "key-1", "key-2"], KeysCalled()); // built in, key-1 would have rested after the 429
    }

    [Fact]
    public async Task An_error_no_rule_catches_reaches_the_client_as_the_upstream_sent_it()
    {
        var gateway = await StartAsync("""
            error-rules:
              - status: [400, 503]
                regex: "never (matches|here)"
                action: next
            """);
        const string refusal = """{"error":{"message":"messages: too many","type":"invalid_request_error","param":"messages"}}""";
        Answer("key-1", 400, refusal);
        Answer("key-2", 200);

        using var response = await ChatAsync(gateway);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(refusal, await response.Content.ReadAsStringAsync()); // read for the rule, relayed whole
        Assert.Equal(["key-1"], KeysCalled());
    }
}
