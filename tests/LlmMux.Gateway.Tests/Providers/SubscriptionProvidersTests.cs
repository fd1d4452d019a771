using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Providers;

/// <summary>
/// The four subscription providers end to end: account files in the auth dir, an OpenAI client in front, one fake
/// playing every upstream (and the token endpoints). Asserts each executor's path, headers and body envelope.
/// </summary>
public sealed class SubscriptionProvidersTests : IAsyncLifetime
{
    private static readonly string Future = DateTimeOffset.UtcNow.AddHours(6).ToString("O");
    private readonly ConcurrentQueue<string> _tokenCalls = new();
    private FakeUpstream _upstream = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-logins-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "auth"));
        await WriteAccountAsync("claude-a@example.com.json", $$"""{"type":"claude","email":"a@example.com","access_token":"tok-claude","refresh_token":"r-claude","expired":"{{Future}}","last_refresh":"{{Future}}"}""");
        await WriteAccountAsync("codex-b@example.com.json", $$"""{"type":"codex","email":"b@example.com","access_token":"tok-codex","refresh_token":"r-codex","account_id":"acct-42","expired":"{{Future}}"}""");
        await WriteAccountAsync("gemini-c@example.com.json", $$"""{"type":"gemini","email":"c@example.com","project_id":"proj-7","token":{"access_token":"tok-gemini","refresh_token":"r-gemini","expiry":"{{Future}}","token_type":"Bearer"} }""");
        await WriteAccountAsync("github-copilot-dev.json", """{"type":"github-copilot","username":"dev","access_token":"gho-github-token"}""");
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task WriteAccountAsync(string name, string json) => File.WriteAllTextAsync(Path.Combine(_dir, "auth", name), json);

    private string Config() => $$"""
        providers:
          - { name: claude, type: claude, base-url: "{{_upstream.BaseUrl}}", oauth: { token-url: "{{_upstream.BaseUrl}}/oauth/token" }, models: [claude-sonnet-4-5] }
          - { name: codex, type: codex, base-url: "{{_upstream.BaseUrl}}/backend-api/codex", models: [gpt-5-codex] }
          - { name: gemini, type: gemini, base-url: "{{_upstream.BaseUrl}}", models: [gemini-2.5-pro] }
          - { name: copilot, type: copilot, base-url: "{{_upstream.BaseUrl}}", oauth: { copilot-token-url: "{{_upstream.BaseUrl}}/copilot_internal/v2/token" }, models: [gpt-4.1] }
        """;

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var path = context.Request.Path.Value!;
        var answer = request with { Body = request.Body + " 18C and sunny" }; // the scripts answer text on a "second turn"
        switch (path)
        {
            case "/oauth/token" when request.Body.Contains("r-dead", StringComparison.Ordinal):
                _tokenCalls.Enqueue(request.Body);
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":"invalid_grant","error_description":"refresh token revoked"}""");
                return;
            case "/oauth/token":
                _tokenCalls.Enqueue(request.Body);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"access_token":"tok-claude-new","refresh_token":"r-claude-2","expires_in":28800,"token_type":"Bearer"}""");
                return;
            case "/copilot_internal/v2/token":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$"""{"token":"tok-copilot","expires_at":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}},"refresh_in":1500}""");
                return;
            case "/v1/messages" when context.Request.Headers.Authorization == "Bearer tok-claude-stale":
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("""{"type":"error","error":{"type":"authentication_error","message":"invalid token"}}""");
                return;
            case "/v1/messages":
                await UpstreamScripts.AnswerAsync("anthropic", context, answer);
                return;
            case "/chat/completions":
                await UpstreamScripts.AnswerAsync("openai", context, answer);
                return;
            case "/backend-api/codex/responses":
                await CodexStreamAsync(context);
                return;
            case "/v1internal:generateContent" or "/v1internal:streamGenerateContent":
                await CodeAssistAsync(context, path.EndsWith("streamGenerateContent", StringComparison.Ordinal));
                return;
            default:
                context.Response.StatusCode = 404;
                return;
        }
    }

    private static async Task CodexStreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        string[] events =
        [
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5-codex","output":[]}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}""",
            """{"type":"response.content_part.added","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"It is sunny"}""",
            """{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":" in Paris."}""",
            """{"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"It is sunny in Paris.","annotations":[]}]}}""",
            """{"type":"response.completed","sequence_number":6,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5-codex","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"It is sunny in Paris.","annotations":[]}]}],"usage":{"input_tokens":9,"output_tokens":6,"total_tokens":15}}}""",
        ];
        foreach (var e in events)
        {
            await context.Response.WriteAsync($"event: {JsonNode.Parse(e)!["type"]}\ndata: {e}\n\n");
            await context.Response.Body.FlushAsync();
        }
    }

    private static async Task CodeAssistAsync(HttpContext context, bool stream)
    {
        const string text = """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":6,"totalTokenCount":15},"modelVersion":"gemini-2.5-pro"}""";
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"response":{{text}}}""");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync($"data: {{\"response\":{text}}}\n\n");
    }

    private static async Task<string> ChatAsync(GatewayFixture gateway, string model, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"system","content":"Answer briefly."},{"role":"user","content":"Weather in Paris?"}]}""", Encoding.UTF8, "application/json"),
        };
        var response = await gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        if (!stream)
        {
            return JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        }

        return string.Concat(body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[6..])!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", false)]
    [InlineData("claude-sonnet-4-5", true)]
    [InlineData("gpt-5-codex", false)]
    [InlineData("gpt-5-codex", true)]
    [InlineData("gemini-2.5-pro", false)]
    [InlineData("gemini-2.5-pro", true)]
    [InlineData("gpt-4.1", false)]
    [InlineData("gpt-4.1", true)]
    public async Task An_openai_client_reaches_every_subscription_provider(string model, bool stream)
    {
        await using var gateway = await GatewayFixture.StartAsync(Config(), dir: _dir);
        gateway.DeleteDirOnDispose = false;

        Assert.Equal(UpstreamScripts.FinalText, await ChatAsync(gateway, model, stream));

        // Not a token exchange, nor the quota read an account's first use starts in the background.
        RecordedRequest sent;
        lock (_upstream.Requests)
        {
            sent = _upstream.Requests.Last(r => !r.PathAndQuery.Contains("token", StringComparison.Ordinal) && !IsQuotaRead(r));
        }

        var body = JsonNode.Parse(sent.Body)!;
        switch (model)
        {
            case "claude-sonnet-4-5":
                Assert.Equal("/v1/messages?beta=true", sent.PathAndQuery);
                Assert.Equal("Bearer tok-claude", sent.Headers["Authorization"]);
                Assert.Contains("oauth-2025-04-20", sent.Headers["anthropic-beta"], StringComparison.Ordinal);
                Assert.Equal("You are Claude Code, Anthropic's official CLI for Claude.", body["system"]![0]!["text"]!.GetValue<string>());
                Assert.Equal("Answer briefly.", body["system"]![1]!["text"]!.GetValue<string>()); // the user's own system prompt is kept
                break;
            case "gpt-5-codex":
                Assert.Equal("/backend-api/codex/responses", sent.PathAndQuery);
                Assert.Equal("Bearer tok-codex", sent.Headers["Authorization"]);
                Assert.Equal("acct-42", sent.Headers["Chatgpt-Account-Id"]);
                Assert.False(body["store"]!.GetValue<bool>());
                Assert.True(body["stream"]!.GetValue<bool>());
                Assert.False(string.IsNullOrEmpty(body["instructions"]?.GetValue<string>()));
                break;
            case "gemini-2.5-pro":
                Assert.Equal(stream ? "/v1internal:streamGenerateContent?alt=sse" : "/v1internal:generateContent", sent.PathAndQuery);
                Assert.Equal("Bearer tok-gemini", sent.Headers["Authorization"]);
                Assert.Equal("proj-7", body["project"]!.GetValue<string>());
                Assert.Equal("gemini-2.5-pro", body["model"]!.GetValue<string>());
                Assert.NotNull(body["request"]!["contents"]);
                break;
            default:
                Assert.Equal("/chat/completions", sent.PathAndQuery);
                Assert.Equal("Bearer tok-copilot", sent.Headers["Authorization"]);
                Assert.Equal("vscode-chat", sent.Headers["Copilot-Integration-Id"]);
                break;
        }

        lock (_upstream.Requests)
        {
            Assert.DoesNotContain(_upstream.Requests, r => r.Headers.Values.Any(v => v.Contains("gho-github-token", StringComparison.Ordinal)) && !r.PathAndQuery.Contains("copilot_internal", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_401_refreshes_the_login_once_and_the_same_account_serves()
    {
        await WriteAccountAsync("claude-a@example.com.json", $$"""{"type":"claude","email":"a@example.com","access_token":"tok-claude-stale","refresh_token":"r-claude","expired":"{{Future}}"}""");
        await using var gateway = await GatewayFixture.StartAsync(Config(), dir: _dir);
        gateway.DeleteDirOnDispose = false;

        Assert.Equal(UpstreamScripts.FinalText, await ChatAsync(gateway, "claude-sonnet-4-5", stream: false));

        Assert.Single(_tokenCalls);
        var claudeCalls = _upstream.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Bearer tok-claude-stale", "Bearer tok-claude-new"], claudeCalls.Select(r => r.Headers["Authorization"]));
        var file = await File.ReadAllTextAsync(Path.Combine(_dir, "auth", "claude-a@example.com.json"));
        Assert.Contains("r-claude-2", file, StringComparison.Ordinal); // the rotated refresh token was kept
    }

    [Fact]
    public async Task A_revoked_login_is_marked_expired_and_the_request_fails_over_to_the_next_account()
    {
        var past = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
        await WriteAccountAsync("claude-a@example.com.json", $$"""{"type":"claude","email":"a@example.com","access_token":"tok-old","refresh_token":"r-dead","expired":"{{past}}"}""");
        await WriteAccountAsync("claude-b@example.com.json", $$"""{"type":"claude","email":"b@example.com","access_token":"tok-claude","refresh_token":"r-b","expired":"{{Future}}"}""");
        await using var gateway = await GatewayFixture.StartAsync(Config().Replace("type: claude,", "type: claude, strategy: fill-first,", StringComparison.Ordinal), dir: _dir);
        gateway.DeleteDirOnDispose = false;

        Assert.Equal(UpstreamScripts.FinalText, await ChatAsync(gateway, "claude-sonnet-4-5", stream: false));

        Assert.Contains(_tokenCalls, body => body.Contains("r-dead", StringComparison.Ordinal));
        Assert.Equal("Bearer tok-claude", _upstream.Requests.Single(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal)).Headers["Authorization"]);
        var file = await File.ReadAllTextAsync(Path.Combine(_dir, "auth", "claude-a@example.com.json"));
        Assert.Contains("expired", file.Replace(" ", "", StringComparison.Ordinal).Split("llm_mux_state")[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_file_added_while_serving_is_used_without_a_restart()
    {
        File.Delete(Path.Combine(_dir, "auth", "codex-b@example.com.json"));
        await using var gateway = await GatewayFixture.StartAsync(Config(), dir: _dir);
        gateway.DeleteDirOnDispose = false;
        var none = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gpt-5-codex","messages":[]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);

        var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.Store.Reloaded += snapshot =>
        {
            if (snapshot.Providers.Single(p => p.Name == "codex").Accounts.Count > 0)
            {
                added.TrySetResult();
            }
        };
        await WriteAccountAsync("codex-b@example.com.json", $$"""{"type":"codex","email":"b@example.com","access_token":"tok-codex","refresh_token":"r-codex","account_id":"acct-42","expired":"{{Future}}"}""");
        await added.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(UpstreamScripts.FinalText, await ChatAsync(gateway, "gpt-5-codex", stream: false));
    }

    private static bool IsQuotaRead(RecordedRequest request) =>
        request.PathAndQuery is "/api/oauth/usage" or "/backend-api/wham/usage" or "/v1internal:retrieveUserQuota" or "/copilot_internal/user";
}
