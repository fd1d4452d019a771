using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmMux.Gateway.Tests.EndToEnd;

/// <summary>OpenAI Chat Completions through the gateway to an OpenAI-compatible upstream (WireMock).</summary>
public sealed class ChatCompletionsTests : IAsyncLifetime
{
    private const string UpstreamReply = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7},"system_fingerprint":"fp_x"}""";

    private readonly WireMockServer _upstream = WireMockServer.Start();
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync(Config(_upstream.Url!));

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    private static string Config(string upstreamUrl, int limitMb = 1) => $"""
        api-keys: [client-key]
        limits:
          max-request-body-mb: {limitMb}
        providers:
          - name: up
            type: openai
            base-url: {upstreamUrl}/v1
            api-keys: [sk-upstream-1, sk-upstream-2]
            headers: {"{"} X-Extra: from-config {"}"}
            models: [{"{"} name: gpt-4.1, alias: smart {"}"}, gpt-4.1-mini]
        routing:
          max-cooldown-wait: 0s
        """;

    private static HttpRequestMessage Chat(string body, string? key = "client-key")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private void UpstreamAnswers(int status, string body, string? retryAfter = null)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
        if (retryAfter is not null)
        {
            response = response.WithHeader("Retry-After", retryAfter);
        }

        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(response);
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

    [Fact]
    public async Task A_same_dialect_call_passes_through_with_only_model_and_auth_changed()
    {
        UpstreamAnswers(200, UpstreamReply);
        const string body = """{"model":"smart","messages":[{"role":"user","content":"Hi"}],"temperature":0.25,"vendor_extension":{"keep":[1,2]}}""";
        var request = Chat(body);
        request.Headers.Add("Cookie", "session=secret");
        request.Headers.Add("X-Forwarded-For", "10.0.0.1");

        var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(UpstreamReply, await response.Content.ReadAsStringAsync());
        var sent = Assert.Single(_upstream.LogEntries).RequestMessage;
        Assert.Equal(body.Replace("\"smart\"", "\"gpt-4.1\"", StringComparison.Ordinal), sent.Body);
        Assert.StartsWith("Bearer sk-upstream-", sent.Headers!["Authorization"][0], StringComparison.Ordinal);
        Assert.Equal("from-config", sent.Headers["X-Extra"][0]);
        Assert.False(sent.Headers.ContainsKey("Cookie"));
        Assert.False(sent.Headers.ContainsKey("X-Forwarded-For"));
        Assert.DoesNotContain(sent.Headers, h => h.Value.Any(v => v.Contains("client-key", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Authorization", "Bearer client-key")]
    [InlineData("x-api-key", "client-key")]
    [InlineData("x-goog-api-key", "client-key")]
    public async Task The_client_key_is_accepted_in_each_header(string header, string value)
    {
        UpstreamAnswers(200, UpstreamReply);
        var request = Chat("""{"model":"gpt-4.1-mini","messages":[]}""", key: null);
        request.Headers.TryAddWithoutValidation(header, value);
        var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_client_key_is_accepted_as_a_query_parameter_which_never_reaches_the_upstream()
    {
        UpstreamAnswers(200, UpstreamReply);
        var request = Chat("""{"model":"gpt-4.1-mini","messages":[]}""", key: null);
        request.RequestUri = new Uri("/v1/chat/completions?key=client-key", UriKind.Relative);
        var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/chat/completions", Assert.Single(_upstream.LogEntries).RequestMessage.AbsolutePath);
        Assert.Empty(_upstream.LogEntries.Single().RequestMessage.Query!);
    }

    [Fact]
    public async Task A_missing_or_wrong_key_is_401_in_the_openai_shape()
    {
        var missing = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini"}""", key: null));
        var wrong = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini"}""", key: "nope"));

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("invalid_api_key", (await ErrorOf(missing)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("authentication_error", (await ErrorOf(wrong)).GetProperty("type").GetString());
        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_that_names_it()
    {
        var response = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-9","messages":[]}"""));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Contains("'gpt-9'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("/v1/models", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4.1-mini","messages":[""")]
    [InlineData("not json")]
    [InlineData("""{"messages":[]}""")]
    public async Task Bad_bodies_are_400_with_a_reason(string body)
    {
        var response = await _gateway.Client.SendAsync(Chat(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", (await ErrorOf(response)).GetProperty("type").GetString());
        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var big = $$"""{"model":"gpt-4.1-mini","messages":[{"role":"user","content":"{{new string('x', 1_200_000)}}"}]}""";
        var response = await _gateway.Client.SendAsync(Chat(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_client_error_from_the_upstream_is_returned_as_is_without_failover()
    {
        const string upstreamError = """{"error":{"message":"bad temperature","type":"invalid_request_error","param":"temperature","code":null}}""";
        UpstreamAnswers(400, upstreamError);
        var response = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini","temperature":9}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(upstreamError, await response.Content.ReadAsStringAsync());
        Assert.Single(_upstream.LogEntries);
    }

    [Fact]
    public async Task An_upstream_500_on_every_account_is_a_502_after_trying_each_account()
    {
        UpstreamAnswers(500, """{"error":{"message":"boom"}}""");
        var response = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini","messages":[]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("upstream_error", error.GetProperty("code").GetString());
        var keys = _upstream.LogEntries.Select(e => e.RequestMessage.Headers!["Authorization"][0]).ToHashSet();
        Assert.Equal(["Bearer sk-upstream-1", "Bearer sk-upstream-2"], keys.Order());
    }

    [Fact]
    public async Task A_429_on_every_account_is_a_429_with_the_upstream_retry_after()
    {
        UpstreamAnswers(429, """{"error":{"message":"slow down"}}""", retryAfter: "17");
        var response = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini","messages":[]}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter!.Delta);
        Assert.Equal("rate_limited", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_failing_account_is_skipped_for_the_next_one_within_the_same_request()
    {
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").WithHeader("Authorization", "Bearer sk-upstream-1"))
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("down"));
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").WithHeader("Authorization", "Bearer sk-upstream-2"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(UpstreamReply));

        for (var i = 0; i < 4; i++)
        {
            var response = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini","messages":[]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(UpstreamReply, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_unreachable_upstream_is_a_502_that_says_so()
    {
        int closedPort;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Assert.Null(await _gateway.RewriteConfigAsync(Config($"http://127.0.0.1:{closedPort}")));
        var response = await _gateway.Client.SendAsync(Chat("""{"model":"gpt-4.1-mini","messages":[]}"""));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_unreachable", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Hidden_provider_routes_cannot_be_called_directly()
    {
        var response = await _gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/__llm-mux/provider/up/chat/completions")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "client-key") },
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_upstream.LogEntries);
    }
}
