using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// <c>credentials: pass-through</c> through a real <c>llm-mux serve</c>: Claude Code and the Codex CLI bring their own
/// logins in <c>Authorization</c> and their llm-mux key in <c>x-llm-mux-key</c> (or <c>x-api-key</c>). The fakes refuse
/// what Anthropic and the ChatGPT backend refuse: an OAuth token without the OAuth beta or <c>?beta=true</c>, a Codex
/// request without its account id or not streamed, an unknown token. Behind the pass-through claude provider a pooled
/// Anthropic key serves the same model, so failover across the two is seen too.
/// </summary>
public sealed class PassThroughEndToEndTests : IAsyncLifetime
{
    private const string MuxKey = "mux-client-key";
    private const string Secret = "pt-management-secret";
    private const string GoodOat = "sk-ant-oat01-alice-own-login-AAAAAAAA";
    private const string RevokedOat = "sk-ant-oat01-revoked-login-BBBBBBBB";
    private const string BusyOat = "sk-ant-oat01-busy-login-CCCCCCCC";
    private const string PooledKey = "sk-ant-api03-pooled-DDDDDDDD";
    private static readonly string CodexJwt = "eyJhbGciOiJSUzI1NiJ9."
        + Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"https://api.openai.com/auth":{"chatgpt_account_id":"acct-own"},"sub":"u1"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_')
        + ".c2lnbmF0dXJl";

    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-passthrough-e2e-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{MuxKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: claude-own
                type: claude
                credentials: pass-through
                base-url: {_upstream.BaseUrl}
                models: [claude-sonnet-4-5]
              - name: anthropic-pooled
                type: anthropic
                base-url: {_upstream.BaseUrl}/pooled
                api-keys: [{PooledKey}]
                models: [claude-sonnet-4-5]
              - name: codex-own
                type: codex
                credentials: pass-through
                base-url: {_upstream.BaseUrl}/backend-api/codex
                models: [gpt-5-codex]
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Claude_code_with_its_own_login_reaches_anthropic_with_that_token_and_the_oauth_beta()
    {
        foreach (var keyHeader in new[] { "x-llm-mux-key", "x-api-key" })
        {
            using var response = await SendAsync("/v1/messages", AnthropicBody(), GoodOat, (keyHeader, MuxKey),
                ("anthropic-version", "2023-06-01"), ("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("Hello from your own plan.", JsonNode.Parse(body)!["content"]![0]!["text"]!.GetValue<string>());

            var sent = LastTo("/v1/messages");
            Assert.Equal("/v1/messages?beta=true", sent.PathAndQuery);
            Assert.Equal("Bearer " + GoodOat, sent.Headers["Authorization"]);
            var betas = sent.Headers["anthropic-beta"].Split(',');
            Assert.Contains("oauth-2025-04-20", betas);
            Assert.Contains("claude-code-20250219", betas); // the client's betas are kept
            Assert.False(sent.Headers.ContainsKey("x-llm-mux-key"));
            Assert.False(sent.Headers.ContainsKey("x-api-key"));
        }
    }

    [Fact]
    public async Task Without_the_llm_mux_key_the_login_alone_is_refused_by_llm_mux()
    {
        var before = _upstream.Requests.Count;
        using var response = await SendAsync("/v1/messages", AnthropicBody(), GoodOat);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("x-llm-mux-key", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var wrong = await SendAsync("/v1/messages", AnthropicBody(), GoodOat, ("x-llm-mux-key", "not-the-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(before, _upstream.Requests.Count);
    }

    [Fact]
    public async Task A_request_without_its_own_login_is_told_so_in_its_dialect()
    {
        using var response = await SendAsync("/v1/messages", AnthropicBody(), bearer: null, ("x-llm-mux-key", MuxKey));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("error", error["type"]!.GetValue<string>());
        Assert.Contains("credentials: pass-through", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_codex_cli_with_its_chatgpt_login_reaches_the_backend_from_the_responses_dialect()
    {
        using var response = await SendAsync("/v1/responses", """{"model":"gpt-5-codex","input":"hi"}""", CodexJwt, ("x-llm-mux-key", MuxKey));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("Hello from your own ChatGPT plan.", body, StringComparison.Ordinal);

        var sent = LastTo("/backend-api/codex/responses");
        Assert.Equal("Bearer " + CodexJwt, sent.Headers["Authorization"]);
        Assert.Equal("acct-own", sent.Headers["Chatgpt-Account-Id"]); // from the token's claim: the client sent none
    }

    [Fact]
    public async Task An_openai_chat_client_reaches_claude_pass_through_with_its_login_as_the_bearer()
    {
        using var response = await SendAsync("/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""", GoodOat, ("x-llm-mux-key", MuxKey));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("Hello from your own plan.", JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());

        var sent = LastTo("/v1/messages");
        Assert.Equal("Bearer " + GoodOat, sent.Headers["Authorization"]);
        Assert.Contains("oauth-2025-04-20", sent.Headers["anthropic-beta"], StringComparison.Ordinal);
        Assert.Contains("You are Claude Code", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_login_is_the_clients_error_and_cools_nothing_shared()
    {
        var pooledBefore = PooledCount();
        using var anthropic = await SendAsync("/v1/messages", AnthropicBody(), RevokedOat, ("x-llm-mux-key", MuxKey));
        Assert.Equal(HttpStatusCode.Unauthorized, anthropic.StatusCode);
        var error = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
        Assert.Equal("error", error["type"]!.GetValue<string>()); // Anthropic's error envelope
        Assert.Contains("refused your own login", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var openai = await SendAsync("/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""", RevokedOat, ("x-llm-mux-key", MuxKey));
        Assert.Equal(HttpStatusCode.Unauthorized, openai.StatusCode);
        var openaiError = JsonNode.Parse(await openai.Content.ReadAsStringAsync())!;
        Assert.Equal("pass_through_rejected", openaiError["error"]!["code"]!.GetValue<string>()); // OpenAI's envelope
        Assert.Equal(pooledBefore, PooledCount()); // another account's key does not answer for the client's login

        var account = await PassThroughAccountAsync();
        Assert.Equal("ready", account["state"]!.GetValue<string>());
        Assert.Empty(account["model_cooldowns"]!.AsObject());

        // The next client's login goes through at once.
        using var next = await SendAsync("/v1/messages", AnthropicBody(), GoodOat, ("x-llm-mux-key", MuxKey));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task A_rate_limited_login_fails_over_to_the_pooled_provider_without_cooling_the_pass_through_one()
    {
        var pooledBefore = PooledCount();
        using var response = await SendAsync("/v1/messages", AnthropicBody(), BusyOat, ("x-llm-mux-key", MuxKey));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("Hello from the pooled key.", JsonNode.Parse(body)!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(pooledBefore + 1, PooledCount());
        Assert.Equal(PooledKey, LastTo("/pooled/v1/messages").Headers["x-api-key"]);

        var account = await PassThroughAccountAsync();
        Assert.Equal("ready", account["state"]!.GetValue<string>());
        Assert.Empty(account["model_cooldowns"]!.AsObject());
        using var next = await SendAsync("/v1/messages", AnthropicBody(), GoodOat, ("x-llm-mux-key", MuxKey));
        Assert.Equal("Hello from your own plan.", JsonNode.Parse(await next.Content.ReadAsStringAsync())!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_forwarded_logins_appear_in_no_log_record_or_answer_and_usage_names_the_pass_through_account()
    {
        using (await SendAsync("/v1/messages", AnthropicBody(), GoodOat, ("x-llm-mux-key", MuxKey)))
        using (await SendAsync("/v1/messages", AnthropicBody(), RevokedOat, ("x-llm-mux-key", MuxKey)))
        using (await SendAsync("/v1/messages", AnthropicBody(), BusyOat, ("x-llm-mux-key", MuxKey)))
        using (await SendAsync("/v1/responses", """{"model":"gpt-5-codex","input":"hi"}""", CodexJwt, ("x-llm-mux-key", MuxKey)))
        {
        }

        var requests = await ManagementAsync("/requests");
        var usage = await ManagementAsync("/usage");
        var accounts = await ManagementAsync("/accounts");
        Assert.Contains("claude-own/pass-through", requests, StringComparison.Ordinal);
        Assert.Contains("codex-own/pass-through", requests, StringComparison.Ordinal);
        Assert.Contains("claude-own/pass-through", _gateway.Output, StringComparison.Ordinal); // the busy login's failover was logged
        foreach (var secret in new[] { GoodOat, RevokedOat, BusyOat, CodexJwt, "sk-ant-oat01" })
        {
            Assert.DoesNotContain(secret, requests, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, usage, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, accounts, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, _gateway.Output, StringComparison.Ordinal);
        }
    }

    private static string AnthropicBody() => """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";

    private async Task<HttpResponseMessage> SendAsync(string path, string body, string? bearer, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Headers.UserAgent.ParseAdd("claude-cli/2.0.0 (external, cli)");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _http.SendAsync(request);
    }

    private async Task<string> ManagementAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v0/management" + path);
        request.Headers.Add("X-Management-Key", Secret);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    private async Task<JsonNode> PassThroughAccountAsync()
    {
        var rows = JsonNode.Parse(await ManagementAsync("/accounts"))!.AsArray();
        return rows.Single(r => r!["id"]!.GetValue<string>() == "claude-own/pass-through")!;
    }

    private RecordedRequest LastTo(string path)
    {
        lock (_upstream.Requests)
        {
            return _upstream.Requests.Last(r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal));
        }
    }

    private int PooledCount()
    {
        lock (_upstream.Requests)
        {
            return _upstream.Requests.Count(r => r.PathAndQuery.StartsWith("/pooled/", StringComparison.Ordinal));
        }
    }

    private static async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        switch (context.Request.Path.Value)
        {
            case "/pooled/v1/messages" when context.Request.Headers["x-api-key"] == PooledKey:
                await JsonAsync(context, 200, Message("Hello from the pooled key."));
                return;
            case "/v1/messages":
                // Anthropic takes an OAuth token only with the OAuth beta, on ?beta=true.
                if (!auth.StartsWith("Bearer sk-ant-oat", StringComparison.Ordinal) || context.Request.Query["beta"] != "true"
                    || !context.Request.Headers["anthropic-beta"].ToString().Split(',').Contains("oauth-2025-04-20"))
                {
                    await JsonAsync(context, 401, """{"type":"error","error":{"type":"authentication_error","message":"OAuth authentication is currently not supported."}}""");
                }
                else if (auth == "Bearer " + GoodOat)
                {
                    await JsonAsync(context, 200, Message("Hello from your own plan."));
                }
                else if (auth == "Bearer " + BusyOat)
                {
                    await JsonAsync(context, 429, """{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your account's rate limit."}}""");
                }
                else
                {
                    // Anthropic's answer quotes nothing of the token; an echo here checks the scrubbing as well.
                    await JsonAsync(context, 401, $$$"""{"type":"error","error":{"type":"authentication_error","message":"Invalid bearer token {{{auth["Bearer ".Length..]}}}"}}""");
                }

                return;
            case "/backend-api/codex/responses":
                var body = JsonNode.Parse(request.Body)!;
                if (auth != "Bearer " + CodexJwt || context.Request.Headers["Chatgpt-Account-Id"] != "acct-own")
                {
                    await JsonAsync(context, 401, """{"detail":"Unauthorized"}""");
                    return;
                }

                if (body["stream"]?.GetValue<bool>() != true || body["store"]?.GetValue<bool>() != false)
                {
                    await JsonAsync(context, 400, """{"detail":"Stream must be set to true"}""");
                    return;
                }

                context.Response.ContentType = "text/event-stream";
                foreach (var data in new[]
                {
                    """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5-codex","output":[]}}""",
                    """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}""",
                    """{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hello from your own ChatGPT plan."}""",
                    """{"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello from your own ChatGPT plan.","annotations":[]}]}}""",
                    """{"type":"response.completed","sequence_number":4,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5-codex","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello from your own ChatGPT plan.","annotations":[]}]}],"usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}}}""",
                })
                {
                    var type = JsonNode.Parse(data)!["type"]!.GetValue<string>();
                    await context.Response.WriteAsync($"event: {type}\n");
                    await FakeUpstream.SendEventAsync(context, data);
                }

                return;
            default:
                await JsonAsync(context, 401, """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""");
                return;
        }
    }

    private static string Message(string text)
        => $$$"""{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"{{{text}}}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":5}}""";

    private static async Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }
}
