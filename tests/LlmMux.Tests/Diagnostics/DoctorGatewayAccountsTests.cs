using System.Net.Http.Headers;
using System.Text;
using LlmMux.Testing;
using LlmMux.Tests.Connect;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Diagnostics;

/// <summary>
/// <c>llm-mux doctor --secret</c> against a real <c>serve</c> whose Claude login account has an expired access token
/// and a token endpoint (a fake) that answers 500: after a request makes the gateway try the refresh, doctor reports
/// the gateway's own view (the failed refresh and its reason) next to what the account file says, without refreshing.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DoctorGatewayAccountsTests : IAsyncLifetime
{
    private const string Secret = "doctor-management-secret";
    private const string ClientKey = "doctor-accounts-client-key";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private FakeUpstream _fake = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _fake = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":"server_error","error_description":"token service down"}""");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-doctor-gateway-").FullName;
        var auth = Path.Combine(_dir, "auth");
        Directory.CreateDirectory(auth);
        File.SetUnixFileMode(auth, OwnerOnly | UnixFileMode.UserExecute);
        var account = Path.Combine(auth, "claude-alice@example.com.json");
        await File.WriteAllTextAsync(account,
            """{"type":"claude","email":"alice@example.com","access_token":"sk-ant-oat01-never-shown","refresh_token":"r-never-shown","expired":"2020-01-01T00:00:00Z"}""");
        File.SetUnixFileMode(account, OwnerOnly);
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{ClientKey}]
            management:
              secret-key: "{Secret}"
            providers:
              - name: claude
                type: claude
                base-url: {_fake.BaseUrl}
                models: [claude-sonnet-4-5]
                oauth:
                  token-url: {_fake.BaseUrl}/v1/oauth/token
            routing:
              max-cooldown-wait: 0s
            """);
        File.SetUnixFileMode(config, OwnerOnly);
        _gateway = await GatewayProcess.StartAsync(config, auth);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _fake.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<CliResult> DoctorAsync(params string[] more) => CliProcess.RunAsync(
        _dir,
        new Dictionary<string, string> { ["HOME"] = _dir, ["LLM_MUX_AUTH_DIR"] = Path.Combine(_dir, "auth") },
        ["doctor", "--url", _gateway.BaseUrl, "--config", Path.Combine(_dir, "llm-mux.yaml"), .. more]);

    [Fact]
    public async Task A_failed_refresh_on_the_gateway_is_reported_with_its_reason()
    {
        using (var http = new HttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + "/v1/messages"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClientKey);
            request.Headers.Add("anthropic-version", "2023-06-01");
            request.Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request);
            Assert.False(response.IsSuccessStatusCode); // the only account cannot get a token
        }

        var tokenCalls = _fake.Requests.Count;
        var run = await DoctorAsync("--secret", Secret);

        Assert.True(run.Code == 1, $"{run}\n--- llm-mux log\n{_gateway.Output}");
        Assert.Contains("warn account claude-alice@example.com: access token expired at", run.Out, StringComparison.Ordinal); // what the file says
        var view = run.Out.Split('\n').SingleOrDefault(l => l.StartsWith("fail gateway account ", StringComparison.Ordinal));
        Assert.True(view is not null, $"{run}\n--- llm-mux log\n{_gateway.Output}");
        Assert.Contains("its last token refresh at ", view, StringComparison.Ordinal);
        Assert.Contains(" failed: Claude token refresh: HTTP 500 (server_error); it tries again at ", view, StringComparison.Ordinal);
        Assert.Equal(tokenCalls, _fake.Requests.Count); // doctor spent no refresh
        Assert.DoesNotContain("never-shown", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_leaves_the_gateways_view_unread_and_says_why()
    {
        var run = await DoctorAsync("--secret", "not-the-secret");

        Assert.Contains("\nwarn gateway accounts: not read: the gateway at ", run.Out, StringComparison.Ordinal);
        Assert.Contains("refused the management secret", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", run.Out, StringComparison.Ordinal);
    }
}
