using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// Claude Code's gateway contract and the session sources of every client, through the real `llm-mux serve`. One
/// fake plays an OpenAI-compatible upstream with four accounts (it refuses fields OpenAI does not know, as OpenAI
/// does) and an Anthropic upstream (it refuses thinking budgets under 1024 and max_tokens not above the budget, as
/// Anthropic does).
/// </summary>
public sealed class ClaudeCodeGatewayEndToEndTests : IAsyncLifetime
{
    private const string ClientKey = "client-key";
    private const string Secret = "e2e-management-secret";
    private static readonly string[] OpenAIKeys = ["sk-a", "sk-b", "sk-c", "sk-d"];

    /// <summary>The chat-completions fields this fake accepts; OpenAI answers any other with 400.</summary>
    private static readonly HashSet<string> ChatFields =
    [
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p",
        "stop", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort", "user", "response_format", "seed",
        "prompt_cache_key", "n", "store", "metadata",
    ];

    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private volatile string? _limitedKey;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-claude-code-").FullName;
        _gateway = await GatewayProcess.StartAsync(await WriteConfigAsync("llm-mux.yaml", ""));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> WriteConfigAsync(string name, string routing)
    {
        var path = Path.Combine(_dir, name);
        await File.WriteAllTextAsync(path, $"""
            api-keys: [{ClientKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: openai
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                api-keys: [{string.Join(", ", OpenAIKeys)}]
                models: [gpt-5, gpt-4.1, local-llama]
              - name: anth
                type: anthropic
                base-url: {_upstream.BaseUrl}
                api-keys: [sk-ant]
                models: [claude-sonnet-4-5]
            routing:
              max-cooldown-wait: 0s
            {routing}
            claude-code:
              model-aliases:
                claude-gpt-5: openai/gpt-5
              alias-prefix: claude-via-
            """);
        return path;
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        context.Response.ContentType = "application/json";
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        if (request.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            if (root.TryGetProperty("thinking", out var thinking) && thinking.TryGetProperty("budget_tokens", out var budget))
            {
                if (budget.GetInt32() < 1024)
                {
                    await RefuseAsync(context, """{"type":"error","error":{"type":"invalid_request_error","message":"thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"}}""");
                    return;
                }

                if (root.TryGetProperty("max_tokens", out var max) && max.GetInt32() <= budget.GetInt32())
                {
                    await RefuseAsync(context, """{"type":"error","error":{"type":"invalid_request_error","message":"`max_tokens` must be greater than `thinking.budget_tokens`"}}""");
                    return;
                }
            }

            await context.Response.WriteAsync(request.PathAndQuery.EndsWith("count_tokens", StringComparison.Ordinal)
                ? """{"input_tokens":42}"""
                : """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}""");
            return;
        }

        if (root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !ChatFields.Contains(n)) is { } unknown)
        {
            await RefuseAsync(context, $$$"""{"error":{"message":"Unrecognized request argument supplied: {{{unknown}}}","type":"invalid_request_error","param":null,"code":null}}""");
            return;
        }

        if (_limitedKey is { } limited && request.Headers["Authorization"] == $"Bearer {limited}")
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "600";
            await context.Response.WriteAsync("""{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""");
            return;
        }

        await context.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-5","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""");
    }

    private static Task RefuseAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = 400;
        return context.Response.WriteAsync(error);
    }

    private static HttpRequestMessage Anthropic(string baseUrl, string path, string body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", ClientKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage OpenAI(string baseUrl, string path, string body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Authorization", $"Bearer {ClientKey}");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static string Message(string model, string extra = "")
        => $$"""{"model":"{{model}}","max_tokens":256,"messages":[{"role":"user","content":"hello world"}]{{extra}}}""";

    /// <summary>Sends and returns the upstream account key that answered (null when no upstream was reached).</summary>
    private async Task<string?> AccountOfAsync(HttpRequestMessage request)
    {
        var before = _upstream.Requests.Count;
        using (request)
        using (var response = await _http.SendAsync(request))
        {
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        lock (_upstream.Requests)
        {
            return _upstream.Requests.Count > before ? _upstream.Requests[^1].Headers["Authorization"]["Bearer ".Length..] : null;
        }
    }

    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var response = await _http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
        }
    }

    [Fact]
    public async Task Model_discovery_lists_other_providers_under_claude_names_that_route_to_the_real_model()
    {
        using var discovery = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v1/models?limit=1000");
        discovery.Headers.Add("x-api-key", ClientKey);
        discovery.Headers.Add("anthropic-version", "2023-06-01");
        var (status, text, response) = await SendAsync(discovery);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(response.Headers.Location);
        var list = JsonNode.Parse(text)!;
        var data = list["data"]!.AsArray();
        Assert.All(data, m =>
        {
            Assert.Equal("model", m!["type"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(m["display_name"]!.GetValue<string>()));
            Assert.True(DateTimeOffset.TryParse(m["created_at"]!.GetValue<string>(), out _));
        });
        var byId = data.ToDictionary(m => m!["id"]!.GetValue<string>(), m => m!["display_name"]!.GetValue<string>());
        Assert.Equal("gpt-5 via openai", byId["claude-gpt-5"]);
        Assert.Equal("gpt-4.1 via openai", byId["claude-via-gpt-4.1"]);
        Assert.Equal("claude-sonnet-4-5", byId["claude-sonnet-4-5"]);
        Assert.DoesNotContain("claude-via-claude-sonnet-4-5", byId.Keys);
        Assert.False(list["has_more"]!.GetValue<bool>());
        Assert.Equal(data[0]!["id"]!.GetValue<string>(), list["first_id"]!.GetValue<string>());
        Assert.Equal(data[^1]!["id"]!.GetValue<string>(), list["last_id"]!.GetValue<string>());

        // OpenAI-shaped callers see what the providers serve, without the extra names.
        using var openai = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v1/models");
        openai.Headers.Add("Authorization", $"Bearer {ClientKey}");
        var (_, openaiList, _) = await SendAsync(openai);
        Assert.Contains("\"gpt-5\"", openaiList, StringComparison.Ordinal);
        Assert.DoesNotContain("claude-gpt-5", openaiList, StringComparison.Ordinal);

        Assert.NotNull(await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"))));
        var sent = _upstream.Requests[^1];
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal("gpt-5", JsonNode.Parse(sent.Body)!["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Betas_reach_anthropic_unchanged_and_a_translated_upstream_gets_no_field_it_would_refuse()
    {
        const string Beta = "context-management-2025-06-27,interleaved-thinking-2025-05-14";
        const string Extras = ""","context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},"output_config":{"effort":"high"}""";

        var (status, text, _) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-sonnet-4-5", Extras), ("anthropic-beta", Beta)));
        Assert.Equal(HttpStatusCode.OK, status);
        var native = _upstream.Requests[^1];
        Assert.Equal(Beta, native.Headers["anthropic-beta"]);
        Assert.Equal("2023-06-01", native.Headers["anthropic-version"]);
        Assert.Contains("context_management", native.Body, StringComparison.Ordinal);

        (status, text, _) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5", Extras), ("anthropic-beta", Beta)));
        Assert.True(status == HttpStatusCode.OK, text);
        var translated = _upstream.Requests[^1];
        Assert.False(translated.Headers.ContainsKey("anthropic-beta"));
        Assert.False(translated.Headers.ContainsKey("anthropic-version"));
        var body = JsonNode.Parse(translated.Body)!;
        Assert.Null(body["context_management"]);
        Assert.Null(body["output_config"]);
        Assert.Equal("high", body["reasoning_effort"]!.GetValue<string>()); // Claude's effort is the target's reasoning effort
    }

    [Fact]
    public async Task A_thinking_budget_under_anthropics_floor_is_raised_and_max_tokens_kept_above_it()
    {
        // Claude Code's background calls: MAX_THINKING_TOKENS=500 and a small max_tokens.
        var body = """{"model":"claude-sonnet-4-5","max_tokens":512,"thinking":{"type":"enabled","budget_tokens":500},"messages":[{"role":"user","content":"title this"}]}""";
        var (status, text, _) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", body));

        Assert.True(status == HttpStatusCode.OK, text);
        var sent = JsonNode.Parse(_upstream.Requests[^1].Body)!;
        Assert.Equal(1024, sent["thinking"]!["budget_tokens"]!.GetValue<int>());
        Assert.True(sent["max_tokens"]!.GetValue<int>() > 1024);

        // A budget Anthropic accepts goes through as the client wrote it.
        var fine = """{"model":"claude-sonnet-4-5","max_tokens":4096,"thinking":{"type":"enabled","budget_tokens":2048},"messages":[{"role":"user","content":"hi"}]}""";
        (status, _, _) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", fine));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(fine, _upstream.Requests[^1].Body);
    }

    [Fact]
    public async Task Claude_codes_probes_are_answered_at_once_without_a_key()
    {
        using (var head = new HttpRequestMessage(HttpMethod.Head, _gateway.BaseUrl + "/"))
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(head)).Status);
        }

        var (helloStatus, hello, _) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/api/hello"));
        Assert.Equal(HttpStatusCode.OK, helloStatus);
        Assert.Equal("""{"status":"ok"}""", hello);

        using var events = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/api/event_logging/batch")
        {
            Content = new StringContent("""{"events":[{"event_type":"ClaudeCodeInternalEvent","event_data":{}}]}""", Encoding.UTF8, "application/json"),
        };
        var (eventsStatus, eventsBody, _) = await SendAsync(events);
        Assert.Equal(HttpStatusCode.OK, eventsStatus);
        Assert.Equal("""{"status":"ok"}""", eventsBody);

        using var huge = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/api/event_logging/batch")
        {
            Content = new ByteArrayContent(new byte[5 * 1024 * 1024]) { Headers = { ContentType = new("application/json") } },
        };
        var (hugeStatus, hugeBody, _) = await SendAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeStatus);
        Assert.Contains("\"request_too_large\"", hugeBody, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Each_clients_session_id_keeps_its_conversation_on_one_account()
    {
        var url = _gateway.BaseUrl;
        var cases = new Func<string, HttpRequestMessage>[]
        {
            id => Anthropic(url, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", id)),
            id => Anthropic(url, "/v1/messages", Message("claude-gpt-5", $$""","metadata":{"user_id":"user_x_account_y_session_{{id}}"}""")),
            id => OpenAI(url, "/v1/chat/completions", """{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}""", ("session_id", id)),
            id => OpenAI(url, "/v1/chat/completions", """{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}""", ("session-id", id)),
            id => OpenAI(url, "/v1/chat/completions", """{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}""", ("x-session-affinity", id)),
            id => OpenAI(url, "/v1/chat/completions", $$"""{"model":"gpt-5","prompt_cache_key":"{{id}}","messages":[{"role":"user","content":"hi"}]}"""),
            id => OpenAI(url, "/v1/responses", $$"""{"model":"gpt-5","conversation":"conv_{{id}}","input":"hi"}"""),
            id => OpenAI(url, "/v1/responses", $$"""{"model":"gpt-5","conversation":{"id":"conv_{{id}}"},"input":"hi"}"""),
        };

        for (var c = 0; c < cases.Length; c++)
        {
            // Round robin over four accounts would give three requests three accounts; a session gives them one.
            var id = $"session-{c}";
            var accounts = new HashSet<string?>();
            for (var i = 0; i < 3; i++)
            {
                accounts.Add(await AccountOfAsync(cases[c](id)));
            }

            Assert.True(accounts.Count == 1, $"source {c} spread one session over {string.Join(", ", accounts)}");
        }

        // Without any session id the strategy decides: round robin spreads the requests.
        var spread = new HashSet<string?>();
        for (var i = 0; i < 3; i++)
        {
            spread.Add(await AccountOfAsync(Anthropic(url, "/v1/messages", Message("claude-gpt-5"))));
        }

        Assert.Equal(3, spread.Count);
    }

    [Fact]
    public async Task A_session_picks_the_same_account_in_another_process_and_the_configured_order_decides_the_source()
    {
        var sessions = Enumerable.Range(0, 8).Select(i => $"0b6e-{i}").ToList();
        var first = new Dictionary<string, string?>();
        foreach (var s in sessions)
        {
            first[s] = await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", s)));
        }

        Assert.True(first.Values.Distinct().Count() > 1, "sessions spread over the accounts");

        // A second process (a restart, or another replica) with the body field listed first.
        var reordered = await WriteConfigAsync("reordered.yaml", "  session-sources: [\"body:metadata.user_id\", \"header:x-claude-code-session-id\"]");
        await using var second = await GatewayProcess.StartAsync(reordered);
        foreach (var s in sessions)
        {
            Assert.Equal(first[s], await AccountOfAsync(Anthropic(second.BaseUrl, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", s))));
        }

        // Both sources present: each process follows its own order.
        var (a, b) = (sessions.First(), sessions.First(s => first[s] != first[sessions.First()]));
        var both = Message("claude-gpt-5", $$""","metadata":{"user_id":"{{b}}"}""");
        Assert.Equal(first[a], await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", both, ("X-Claude-Code-Session-Id", a))));
        Assert.Equal(first[b], await AccountOfAsync(Anthropic(second.BaseUrl, "/v1/messages", both, ("X-Claude-Code-Session-Id", a))));
    }

    [Fact]
    public async Task A_session_moves_only_when_its_account_fails_and_other_sessions_stay()
    {
        var sessions = Enumerable.Range(0, 8).Select(i => $"move-{i}").ToList();
        var home = new Dictionary<string, string?>();
        foreach (var s in sessions)
        {
            home[s] = await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", s)));
        }

        var moving = sessions[0];
        _limitedKey = home[moving];
        var away = await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", moving)));
        Assert.NotEqual(home[moving], away);

        // While its account cools, the session keeps to its one next choice; sessions elsewhere never move.
        Assert.Equal(away, await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", moving))));
        foreach (var s in sessions.Where(s => home[s] != home[moving]))
        {
            Assert.Equal(home[s], await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"), ("X-Claude-Code-Session-Id", s))));
        }
    }

    [Fact]
    public async Task Count_tokens_is_native_for_anthropic_a_real_tokenizer_for_openai_models_and_an_estimate_otherwise()
    {
        var (status, text, response) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages/count_tokens", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hello world"}]}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(42, JsonNode.Parse(text)!["input_tokens"]!.GetValue<int>());
        Assert.Equal("/v1/messages/count_tokens", _upstream.Requests[^1].PathAndQuery);
        Assert.False(response.Headers.Contains("x-llm-mux-token-count"));

        // o200k: "hello" and " world" are one token each; OpenAI's chat framing adds 3 per message and 3 for the reply.
        (status, text, response) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages/count_tokens", """{"model":"claude-gpt-5","messages":[{"role":"user","content":"hello world"}]}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tokenizer", response.Headers.GetValues("x-llm-mux-token-count").Single());
        Assert.Equal(8, JsonNode.Parse(text)!["input_tokens"]!.GetValue<int>());

        (status, text, response) = await SendAsync(Anthropic(_gateway.BaseUrl, "/v1/messages/count_tokens", """{"model":"claude-via-local-llama","messages":[{"role":"user","content":"hello world"}]}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("estimate", response.Headers.GetValues("x-llm-mux-token-count").Single());
        Assert.Equal(3, JsonNode.Parse(text)!["input_tokens"]!.GetValue<int>());
        Assert.Single(_upstream.Requests); // only the native count reached an upstream
    }

    [Fact]
    public async Task The_request_log_keeps_the_client_and_its_session_for_usage_records()
    {
        await AccountOfAsync(Anthropic(_gateway.BaseUrl, "/v1/messages", Message("claude-gpt-5"),
            ("X-Claude-Code-Session-Id", "3f1c-session"), ("User-Agent", "claude-cli/2.1.86 (external, cli)")));

        using var log = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v0/management/requests?limit=1");
        log.Headers.Add("X-Management-Key", Secret);
        var (status, text, _) = await SendAsync(log);

        Assert.Equal(HttpStatusCode.OK, status);
        var record = Assert.Single(JsonNode.Parse(text)!.AsArray())!;
        Assert.Equal("claude-cli/2.1.86", record["client"]!.GetValue<string>());
        Assert.Equal("3f1c-session", record["session"]!.GetValue<string>());
        Assert.Equal("claude-gpt-5", record["model"]!.GetValue<string>());
        Assert.Equal(3, record["input_tokens"]!.GetValue<int>());
    }
}
