using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// A Copilot seat's quota through a real <c>llm-mux serve</c>: the fake plays GitHub (the token exchange and
/// <c>copilot_internal/user</c>, which, as GitHub does, answers the stored GitHub token and refuses the Copilot session
/// token) and the Copilot API. Once the seat is used, its premium-request window shows in the management API and in
/// <c>llm-mux accounts</c>.
/// </summary>
public sealed class CopilotQuotaEndToEndTests : IAsyncLifetime
{
    private const string MuxKey = "mux-copilot-quota-key";
    private const string Secret = "copilot-quota-management-secret";
    private const string GitHubToken = "gho-quota-e2e-github";
    private const string SessionToken = "tok-copilot-quota-session";
    private const string LoginId = "github-copilot-octocat";

    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private readonly HttpClient _http = new();
    private string ConfigPath => Path.Combine(_dir, "llm-mux.yaml");

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-copilot-quota-e2e-").FullName;
        var auth = Path.Combine(_dir, "auth");
        Directory.CreateDirectory(auth);
        await File.WriteAllTextAsync(Path.Combine(auth, LoginId + ".json"), $$"""
            {"type":"github-copilot","username":"octocat","access_token":"{{GitHubToken}}","token_type":"bearer","scope":"read:user"}
            """);
        await File.WriteAllTextAsync(ConfigPath, $"""
            api-keys: [{MuxKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: copilot
                type: copilot
                base-url: {_upstream.BaseUrl}
                models: [gpt-4.1]
                oauth:
                  copilot-token-url: {_upstream.BaseUrl}/copilot_internal/v2/token
                  github-user-url: {_upstream.BaseUrl}/user
            """);
        _gateway = await GatewayProcess.StartAsync(ConfigPath);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_used_seat_shows_its_premium_request_window_in_the_management_api_and_the_accounts_list()
    {
        JsonArray? quota = null;
        for (var round = 0; round < 100 && quota is null; round++)
        {
            if (round < 2)
            {
                await ChatAsync();
            }

            quota = (await AccountAsync())["quota"] as JsonArray;
            if (quota is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(quota);
        var premium = quota.Single(w => w!["window"]!.GetValue<string>() == "premium")!;
        Assert.Equal(0.96, premium["used"]!.GetValue<double>(), 3);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), premium["resets_at"]!.GetValue<DateTimeOffset>());
        Assert.DoesNotContain(quota, w => w!["window"]!.GetValue<string>() == "chat"); // unlimited: no window

        var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = Path.Combine(_dir, "auth") };
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await LlmMux.Cli.LlmMuxCli.RunAsync(["accounts", "--config", ConfigPath], env.GetValueOrDefault, output, error));
        var row = output.ToString().Split('\n').Single(l => l.StartsWith(LoginId, StringComparison.Ordinal));
        Assert.Contains("premium 96% (", row, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, _gateway.Output, StringComparison.Ordinal);
    }

    private async Task ChatAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", "Bearer " + MuxKey);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
    }

    private async Task<JsonNode> AccountAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v0/management/accounts");
        request.Headers.Add("X-Management-Key", Secret);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "copilot/" + LoginId)!;
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        switch (context.Request.Path.Value)
        {
            case "/copilot_internal/v2/token" when auth == "token " + GitHubToken:
                await JsonAsync(context, 200, $$"""{"token":"{{SessionToken}}","expires_at":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}},"refresh_in":1500}""");
                return;
            case "/copilot_internal/user" when auth == "token " + GitHubToken:
                await JsonAsync(context, 200, """
                    {"login":"octocat","copilot_plan":"individual","quota_reset_date":"2030-01-01","quota_reset_date_utc":"2030-01-01T00:00:00.000Z",
                     "quota_snapshots":{
                       "chat":{"entitlement":0,"percent_remaining":100,"unlimited":true,"overage_permitted":false},
                       "premium_interactions":{"entitlement":300,"remaining":12,"percent_remaining":4,"unlimited":false,"overage_permitted":false}}}
                    """);
                return;
            case "/copilot_internal/v2/token" or "/copilot_internal/user":
                await JsonAsync(context, 401, """{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}""");
                return;
            case "/chat/completions" when auth == "Bearer " + SessionToken:
                await JsonAsync(context, 200, """
                    {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1",
                     "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
                    """);
                return;
            case "/chat/completions":
                await JsonAsync(context, 401, """{"error":{"message":"unauthorized","type":"invalid_request_error"}}""");
                return;
            default:
                await JsonAsync(context, 404, """{"message":"Not Found"}""");
                return;
        }
    }

    private static async Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }
}
