using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Dashboard;

/// <summary>
/// Issue 17 in a real browser: Debian's Chromium driven by playwright-core (tests/browser/dashboard.mjs) through the
/// dashboard of a real <c>llm-mux serve</c>. One fake plays every upstream: an OpenAI-style provider with one key that
/// answers 429 with Retry-After and one that serves, two Claude logins, and GitHub's device flow for a copilot login.
/// The script signs in (a wrong secret refused), reads the accounts' true states, follows a request's failover chain,
/// disables a login and sees requests avoid it, runs a device-code login to its end, finishes a browser login by pasting
/// its callback URL, uploads an account file, disables, enables and removes it, validates a broken config and applies a
/// valid one, reads the Usage page's charts (two client keys apart) and a cost at a price it enters, and screenshots
/// every page into <c>SCREENSHOT_DIR</c>.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    internal const string Secret = "dashboard-e2e-secret";
    internal const string ClientKey = "dashboard-client-key";
    internal const string OtherClientKey = "dashboard-other-client-key";
    private const string BusyKey = "sk-busy-key-never-shown";
    private const string GoodKey = "sk-good-key-never-shown";
    private const string OatA = "sk-ant-oat01-alice-AAAAAAAA";
    private const string OatB = "sk-ant-oat01-bob-BBBBBBBB";
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private int _approved;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-dashboard-e2e-").FullName;
        var auth = Path.Combine(_dir, "auth");
        Directory.CreateDirectory(auth);
        foreach (var (who, token) in new[] { ("alice", OatA), ("bob", OatB) })
        {
            await File.WriteAllTextAsync(Path.Combine(auth, $"claude-{who}@example.com.json"),
                $$"""{"type":"claude","email":"{{who}}@example.com","access_token":"{{token}}","refresh_token":"r-{{who}}","expired":"2099-01-01T00:00:00Z"}""");
        }

        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{ClientKey}, {OtherClientKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                strategy: fill-first
                api-keys: [{BusyKey}, {GoodKey}]
                models: [gpt-4.1]
              - name: claude
                type: claude
                base-url: {_upstream.BaseUrl}
                models: [claude-sonnet-4-5]
                oauth:
                  authorize-url: {_upstream.BaseUrl}/claude/oauth/authorize
                  token-url: {_upstream.BaseUrl}/claude/oauth/token
                  callback-port: 0
              - name: copilot
                type: copilot
                oauth:
                  device-code-url: {_upstream.BaseUrl}/login/device/code
                  token-url: {_upstream.BaseUrl}/login/oauth/access_token
                  copilot-token-url: {_upstream.BaseUrl}/copilot_internal/v2/token
                  github-user-url: {_upstream.BaseUrl}/user
                  client-id: test-client
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [BrowserFact]
    public async Task Every_page_works_in_a_real_browser()
    {
        BrowserInstallation.AssertReady();
        var screenshots = BrowserInstallation.ScreenshotDirectory();
        var (code, output) = await BrowserInstallation.RunScenarioAsync("dashboard.mjs", new Dictionary<string, string>
        {
            ["BASE_URL"] = _gateway.BaseUrl,
            ["SECRET"] = Secret,
            ["CLIENT_KEY"] = ClientKey,
            ["OTHER_CLIENT_KEY"] = OtherClientKey,
            ["SCREENSHOT_DIR"] = screenshots,
            ["UPSTREAM_URL"] = _upstream.BaseUrl,
        });

        Assert.True(code == 0, $"dashboard.mjs exited {code}:\n{output}\n--- llm-mux log ---\n{_gateway.Output}");
        foreach (var step in new[] { "sign-in", "accounts", "failover-chain", "request-filters", "disable", "device-login", "pasted-callback", "upload-remove", "config", "usage", "pages" })
        {
            Assert.Contains("ok " + step, output, StringComparison.Ordinal);
        }

        // The browser was shown no secret: not the keys, not the tokens, not the device code's secret half.
        foreach (var secret in new[] { BusyKey, GoodKey, OatA, OatB, "gho_device_token", "device-secret", "sk-ant-oat01-carol", "sk-ant-oat01-dave" })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }

        // Alice was disabled before the last four Claude requests: they all went to Bob.
        var claude = _upstream.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal)).ToList();
        Assert.True(claude.Count >= 4);
        Assert.All(claude.TakeLast(4), r => Assert.Equal("Bearer " + OatB, r.Headers["Authorization"]));
        Assert.True(File.Exists(Path.Combine(_dir, "auth", "github-copilot-octocat.json")));
        Assert.True(File.Exists(Path.Combine(_dir, "auth", "claude-carol@example.com.json")));
        Assert.False(File.Exists(Path.Combine(_dir, "auth", "claude-dave@example.com.json")));
        foreach (var page in new[] { "signin", "overview", "accounts", "requests", "request-detail", "config", "models", "usage", "usage-phone-dark", "connect" })
        {
            Assert.True(File.Exists(Path.Combine(screenshots, page + ".png")), $"no screenshot of {page}");
        }
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        context.Response.ContentType = "application/json";
        switch (context.Request.Path.Value)
        {
            case "/v1/chat/completions" when auth == "Bearer " + BusyKey:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "3600";
                await context.Response.WriteAsync("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""");
                return;
            case "/v1/chat/completions" when auth == "Bearer " + GoodKey:
                var model = JsonNode.Parse(request.Body)?["model"]?.GetValue<string>() ?? "gpt-4.1";
                await context.Response.WriteAsync($$$"""{"id":"c1","object":"chat.completion","created":1,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""");
                return;
            case "/v1/messages" when auth is "Bearer " + OatA or "Bearer " + OatB:
                var who = auth.EndsWith(OatA, StringComparison.Ordinal) ? "alice" : "bob";
                await context.Response.WriteAsync($$$"""{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello from {{{who}}}."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":5}}""");
                return;
            case "/login/device/code" when request.Body.Contains("client_id=test-client", StringComparison.Ordinal):
                await context.Response.WriteAsync("""{"device_code":"device-secret","user_code":"ABCD-1234","verification_uri":"https://github.com/login/device","expires_in":900,"interval":1}""");
                return;
            case "/login/oauth/access_token" when request.Body.Contains("device_code=device-secret", StringComparison.Ordinal):
                // Pending until the browser has shown the code (the script approves by asking /approve).
                await context.Response.WriteAsync(Volatile.Read(ref _approved) == 0
                    ? """{"error":"authorization_pending"}"""
                    : """{"access_token":"gho_device_token","token_type":"bearer","scope":"read:user"}""");
                return;
            case "/claude/oauth/token" when request.Body.Contains("\"code\":\"pasted-code\"", StringComparison.Ordinal):
                // The code from the callback URL the script pasted (a headless gateway: the browser could not reach it).
                await context.Response.WriteAsync("""{"access_token":"sk-ant-oat01-carol-CCCCCCCC","refresh_token":"r-carol","expires_in":28800,"token_type":"Bearer","account":{"email_address":"carol@example.com"}}""");
                return;
            case "/approve":
                // The user approving the code on GitHub's page: the script asks for it once the browser shows the code.
                Volatile.Write(ref _approved, 1);
                await context.Response.WriteAsync("{}");
                return;
            case "/user" when auth is "token gho_device_token" or "Bearer gho_device_token":
                await context.Response.WriteAsync("""{"login":"octocat"}""");
                return;
            default:
                context.Response.StatusCode = auth.Length == 0 ? 401 : 404;
                await context.Response.WriteAsync("""{"error":{"message":"not here","type":"invalid_request_error"}}""");
                return;
        }
    }
}
