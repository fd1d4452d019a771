using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// A management login started on one replica and followed to its end on another (issue 16): a Copilot device flow is
/// started through replica 0, the user code and the outcome are read through replica 1, and the account it makes
/// reaches replicas 1 and 2's own auth dirs.
/// </summary>
public sealed class SharedLoginEndToEndTests : IAsyncLifetime
{
    private static readonly string ClusterKey = Convert.ToBase64String(Enumerable.Range(40, 32).Select(i => (byte)i).ToArray());

    private FakeUpstream _fake = null!;
    private ClusterFleet _fleet = null!;
    private int _polls;

    public async Task InitializeAsync()
    {
        _fake = await FakeUpstream.StartAsync(HandleAsync);
        _fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: copilot
                type: copilot
                base-url: {_fake.BaseUrl}
                models: [gpt-4.1]
                oauth:
                  device-code-url: {_fake.BaseUrl}/github/login/device/code
                  token-url: {_fake.BaseUrl}/github/login/oauth/access_token
                  copilot-token-url: {_fake.BaseUrl}/copilot_internal/v2/token
                  github-user-url: {_fake.BaseUrl}/github/user
                  client-id: copilot-e2e-client
            """);
        await _fleet.StartAsync(3, new Dictionary<string, string> { ["LLM_MUX_CLUSTER_KEY"] = ClusterKey });
    }

    [Fact]
    public async Task A_login_started_on_replica_A_is_followed_and_finished_on_replica_B()
    {
        using var http = new HttpClient();
        using var start = new HttpRequestMessage(HttpMethod.Post, $"{_fleet[0].BaseUrl}/v0/management/logins")
        {
            Content = new StringContent("""{"provider":"copilot"}""", Encoding.UTF8, "application/json"),
        };
        start.Headers.Add("X-Management-Key", ClusterFleet.Secret);
        using var started = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        // Replica 1 never ran it: it shows what the user must do, then the outcome.
        JsonNode? view = null;
        await ClusterFleet.EventuallyAsync(async () => (view = await FindAsync(http, 1, id))?["instructions"]?.GetValue<string>().Contains("WXYZ-9876", StringComparison.Ordinal) == true, "replica 1 shows the user code");
        await ClusterFleet.EventuallyAsync(async () => (view = await FindAsync(http, 1, id))?["state"]?.GetValue<string>() == "done", "replica 1 sees the login finish", 60);
        var accountId = view!["account_id"]!.GetValue<string>();
        Assert.DoesNotContain("gho-secret", view.ToJsonString(), StringComparison.Ordinal);

        foreach (var replica in new[] { 1, 2 })
        {
            var path = Path.Combine(_fleet.AuthDir(replica), accountId + ".json");
            await ClusterFleet.EventuallyAsync(() => Task.FromResult(File.Exists(path)), $"replica {replica} holds the new account");
        }

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_fleet.Redis.Port}");
        var stored = (byte[]?)await redis.GetDatabase().StringGetAsync($"{_fleet.Namespace}:login:{id}");
        Assert.NotNull(stored);
        Assert.DoesNotContain("WXYZ-9876", Encoding.Latin1.GetString(stored), StringComparison.Ordinal);
    }

    private async Task<JsonNode?> FindAsync(HttpClient http, int replica, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_fleet[replica].BaseUrl}/v0/management/logins/{id}");
        request.Headers.Add("X-Management-Key", ClusterFleet.Secret);
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        switch (context.Request.Path.Value)
        {
            case "/github/login/device/code":
                await context.Response.WriteAsync("""{"device_code":"device-e2e","user_code":"WXYZ-9876","verification_uri":"https://github.com/login/device","expires_in":900,"interval":1}""");
                return;
            case "/github/login/oauth/access_token":
                await context.Response.WriteAsync(Interlocked.Increment(ref _polls) == 1
                    ? """{"error":"authorization_pending","error_description":"pending"}"""
                    : """{"access_token":"gho-secret-e2e","token_type":"bearer","scope":"read:user"}""");
                return;
            case "/github/user":
                await context.Response.WriteAsync("""{"login":"octocat","id":1}""");
                return;
            default:
                context.Response.StatusCode = 404;
                return;
        }
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _fake.DisposeAsync();
    }
}
