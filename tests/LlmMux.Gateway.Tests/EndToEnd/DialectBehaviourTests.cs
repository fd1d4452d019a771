using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.EndToEnd;

/// <summary>Dialect details beyond the matrix: framings, token counts, headers, reasoning, errors and model lists.</summary>
public sealed class DialectBehaviourTests
{
    private const string OpenAIChunk = """{"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"content":"PIECE"},"finish_reason":null}]}""";

    private static string Config(string type, string baseUrl, string extra = "") => $"""
        api-keys: [client-key]
        providers:
          - name: up
            type: {type}
            base-url: {baseUrl}
            api-keys: [upstream-key]
            models: [{"{"} name: up-model, alias: m {"}"}]
        {extra}
        """;

    private static HttpRequestMessage Post(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (!headers.Any(h => h.Name is "Authorization" or "x-api-key" or "x-goog-api-key"))
        {
            request.Headers.Add("x-api-key", "client-key");
        }

        return request;
    }

    [Fact]
    public async Task A_gemini_stream_without_alt_sse_is_one_json_array_built_element_by_element()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in new[] { "Hel", "lo" })
            {
                await FakeUpstream.SendEventAsync(context, OpenAIChunk.Replace("PIECE", piece, StringComparison.Ordinal));
            }

            await FakeUpstream.SendEventAsync(context, "[DONE]");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("openai", upstream.BaseUrl + "/v1"));

        var response = await gateway.Client.SendAsync(Post("/v1beta/models/m:streamGenerateContent", """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var array = JsonNode.Parse(body)!.AsArray();
        var text = string.Concat(array.Select(e => string.Concat(e!["candidates"]![0]!["content"]!["parts"]!.AsArray().Select(p => p!["text"]?.GetValue<string>()))));
        Assert.Equal("Hello", text);
    }

    [Fact]
    public async Task Anthropic_count_tokens_goes_to_the_native_counter_of_an_anthropic_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"input_tokens":42}""");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("anthropic", upstream.BaseUrl));

        var response = await gateway.Client.SendAsync(Post("/v1/messages/count_tokens", """{"model":"m","messages":[{"role":"user","content":"hello"}]}"""));

        Assert.Equal("""{"input_tokens":42}""", await response.Content.ReadAsStringAsync());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages/count_tokens", sent.PathAndQuery);
        Assert.Contains("\"up-model\"", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gemini_count_tokens_goes_to_the_native_counter_of_a_gemini_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"totalTokens":7}""");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("gemini-api", upstream.BaseUrl));

        var response = await gateway.Client.SendAsync(Post("/v1beta/models/m:countTokens", """{"contents":[{"role":"user","parts":[{"text":"hello"}]}]}"""));

        Assert.Equal("""{"totalTokens":7}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("/v1beta/models/up-model:countTokens", Assert.Single(upstream.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Without_a_native_counter_the_count_is_an_estimate_and_says_so()
    {
        await using var gateway = await GatewayFixture.StartAsync(Config("openai", "http://127.0.0.1:9/v1"));

        var response = await gateway.Client.SendAsync(Post("/v1/messages/count_tokens", """{"model":"m","messages":[{"role":"user","content":"twelve chars"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("estimate", response.Headers.GetValues("x-llm-mux-token-count").Single());
        Assert.Equal(3, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["input_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_anthropic_client_reaches_an_anthropic_upstream_with_its_version_once_and_the_account_key()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"id":"msg_1","type":"message","role":"assistant","model":"up-model","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}""");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("anthropic", upstream.BaseUrl));
        const string body = """{"model":"m","max_tokens":64,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"thinking":{"type":"adaptive"},"x_unknown":[1]}""";

        var response = await gateway.Client.SendAsync(Post("/v1/messages", body,
            ("Authorization", "Bearer client-key"), ("anthropic-version", "2026-10-21"), ("anthropic-beta", "interleaved-thinking-2025-05-14")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal(body.Replace("\"m\"", "\"up-model\"", StringComparison.Ordinal), sent.Body);
        Assert.Equal("upstream-key", sent.Headers["x-api-key"]);
        Assert.Equal("2026-10-21", sent.Headers["anthropic-version"]);
        Assert.Equal("interleaved-thinking-2025-05-14", sent.Headers["anthropic-beta"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
    }

    [Theory]
    [InlineData("anthropic", "m-thinking-4096", "\"budget_tokens\":4096")]
    [InlineData("openai", "m-high", "\"reasoning_effort\":\"high\"")]
    [InlineData("gemini-api", "m-thinking-2048", "\"thinkingBudget\":2048")]
    public async Task A_reasoning_suffix_becomes_the_upstreams_own_field(string type, string model, string expected)
    {
        await using var upstream = await FakeUpstream.StartAsync((context, request) => UpstreamScripts.AnswerAsync(type, context, request with { Body = "18C and sunny" }));
        await using var gateway = await GatewayFixture.StartAsync(Config(type, type == "openai" ? upstream.BaseUrl + "/v1" : upstream.BaseUrl));

        var response = await gateway.Client.SendAsync(Post("/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, Assert.Single(upstream.Requests).Body.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_error_from_an_upstream_of_another_dialect_comes_back_in_the_clients_shape()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}""");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("anthropic", upstream.BaseUrl));

        var response = await gateway.Client.SendAsync(Post("/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("max_tokens: too large", error["message"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_stream_cancels_the_upstream_request()
    {
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, OpenAIChunk.Replace("PIECE", "first", StringComparison.Ordinal));
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamCancelled.SetResult();
            }
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("openai", upstream.BaseUrl + "/v1"));
        using var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0 };
        using var client = new HttpClient(handler) { BaseAddress = gateway.Client.BaseAddress };

        var response = await client.SendAsync(Post("/v1/messages", """{"model":"m","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: message_start", await reader.ReadLineAsync());
        response.Dispose();

        await upstreamCancelled.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_gemini_cli_code_assist_routes_take_the_llm_mux_key_as_the_access_token()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in new[] { "Hel", "lo" })
            {
                await FakeUpstream.SendEventAsync(context, OpenAIChunk.Replace("PIECE", piece, StringComparison.Ordinal));
            }

            await FakeUpstream.SendEventAsync(context, "[DONE]");
        });
        await using var gateway = await GatewayFixture.StartAsync(Config("openai", upstream.BaseUrl + "/v1"));
        // GOOGLE_CLOUD_ACCESS_TOKEN=<llm-mux key>: the Gemini CLI sends the client key as its bearer token.
        var google = ("Authorization", "Bearer client-key");
        var refused = await gateway.Client.SendAsync(Post("/v1internal:streamGenerateContent?alt=sse",
            """{"model":"m","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}}""", ("Authorization", "Bearer ya29.google-oauth-token")));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var load = await gateway.Client.SendAsync(Post("/v1internal:loadCodeAssist", """{"metadata":{"pluginType":"GEMINI"}}""", google));
        var stream = await gateway.Client.SendAsync(Post("/v1internal:streamGenerateContent?alt=sse",
            """{"model":"m","project":"llm-mux","user_prompt_id":"p1","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}}""", google));
        var body = await stream.Content.ReadAsStringAsync();

        Assert.Equal("llm-mux", JsonNode.Parse(await load.Content.ReadAsStringAsync())!["cloudaicompanionProject"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        var events = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
        var text = string.Concat(events.Select(e => e["response"]!["candidates"]![0]!["content"]!["parts"]![0]!["text"]?.GetValue<string>()));
        Assert.Equal("Hello", text);
        Assert.DoesNotContain("client-key", Assert.Single(upstream.Requests).Headers["Authorization"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/models", null, "data", "id")]
    [InlineData("/v1/models", "anthropic-version", "data", "display_name")]
    [InlineData("/v1/models", "x-goog-api-client", "models", "supportedGenerationMethods")]
    [InlineData("/v1beta/models", null, "models", "name")]
    [InlineData("/api/tags", null, "models", "model")]
    public async Task Model_lists_come_in_the_callers_shape(string path, string? header, string listProperty, string itemProperty)
    {
        await using var gateway = await GatewayFixture.StartAsync(Config("openai", "http://127.0.0.1:9/v1"));
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-api-key", "client-key");
        if (header is not null)
        {
            request.Headers.Add(header, "x");
        }

        var body = JsonNode.Parse(await (await gateway.Client.SendAsync(request)).Content.ReadAsStringAsync())!;
        var item = Assert.Single(body[listProperty]!.AsArray())!;
        Assert.NotNull(item[itemProperty]);
        Assert.Contains("m", item.ToJsonString(), StringComparison.Ordinal);
    }
}
