using System.Text.Json.Nodes;
using LlmMux.Testing;
using LlmMux.Tests.Cluster;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Dashboard;

/// <summary>
/// Issue 17's fleet views in a real browser (tests/browser/dashboard-cluster.mjs): two real <c>serve</c> replicas on
/// one real Redis, as behind a load balancer. Signed in on one replica, the browser is signed in on the other; the
/// Overview lists both instances and what each serves now (a stream held open on the other replica); the Accounts page
/// shows a cooldown another replica hit; the Requests page names the instance of each request and filters by it;
/// with Redis away the Overview says so and the session still works; a sign-out on one replica ends the session on
/// the other too.
/// </summary>
public sealed class DashboardClusterBrowserTests : IAsyncLifetime
{
    private const string BusyKey = "sk-busy-fleet-key-never-shown";
    private const string GoodKey = "sk-good-fleet-key-never-shown";
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeUpstream _upstream = null!;
    private ClusterFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                strategy: fill-first
                api-keys: [{BusyKey}, {GoodKey}]
                models: [gpt-4.1, slow-stream]
            """);
        await _fleet.StartAsync(2);
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _fleet.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [BrowserFact]
    public async Task The_fleet_is_one_dashboard_in_a_real_browser()
    {
        BrowserInstallation.AssertReady();
        var screenshots = BrowserInstallation.ScreenshotDirectory();
        var (code, output) = await BrowserInstallation.RunScenarioAsync("dashboard-cluster.mjs", new Dictionary<string, string>
        {
            ["REPLICA_A"] = _fleet[0].BaseUrl,
            ["REPLICA_B"] = _fleet[1].BaseUrl,
            ["SECRET"] = ClusterFleet.Secret,
            ["CLIENT_KEY"] = ClusterFleet.MuxKey,
            ["SCREENSHOT_DIR"] = screenshots,
            ["UPSTREAM_URL"] = _upstream.BaseUrl,
        });

        Assert.True(code == 0, $"dashboard-cluster.mjs exited {code}:\n{output}\n--- replica A ---\n{_fleet[0].Output}\n--- replica B ---\n{_fleet[1].Output}");
        foreach (var step in new[] { "fleet-instances", "shared-session", "fleet-accounts", "fleet-requests", "fleet-activity", "redis-away", "shared-sign-out" })
        {
            Assert.Contains("ok " + step, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(BusyKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodKey, output, StringComparison.Ordinal);
        foreach (var page in new[] { "cluster-overview", "cluster-accounts", "cluster-requests", "cluster-usage", "cluster-redis-away" })
        {
            Assert.True(File.Exists(Path.Combine(screenshots, page + ".png")), $"no screenshot of {page}");
        }

        // The busy key was tried once in the whole fleet: its 429 cooled it on both replicas.
        Assert.Single(_upstream.Requests, r => r.Headers.GetValueOrDefault("Authorization") == "Bearer " + BusyKey);
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        context.Response.ContentType = "application/json";
        var model = context.Request.Path == "/v1/chat/completions" ? JsonNode.Parse(request.Body)?["model"]?.GetValue<string>() : null;
        switch (context.Request.Path.Value)
        {
            case "/v1/chat/completions" when auth == "Bearer " + BusyKey:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "3600";
                await context.Response.WriteAsync("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""");
                return;
            case "/v1/chat/completions" when auth == "Bearer " + GoodKey && model == "slow-stream":
                // A stream that stays open until the script has seen it on the other replica's dashboard.
                context.Response.ContentType = "text/event-stream";
                await FakeUpstream.SendEventAsync(context, """{"id":"s1","object":"chat.completion.chunk","created":1,"model":"slow-stream","choices":[{"index":0,"delta":{"role":"assistant","content":"wait"},"finish_reason":null}]}""");
                await _release.Task.WaitAsync(context.RequestAborted);
                await FakeUpstream.SendEventAsync(context, """{"id":"s1","object":"chat.completion.chunk","created":1,"model":"slow-stream","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""");
                await FakeUpstream.SendEventAsync(context, "[DONE]");
                return;
            case "/v1/chat/completions" when auth == "Bearer " + GoodKey:
                await context.Response.WriteAsync($$$"""{"id":"c1","object":"chat.completion","created":1,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""");
                return;
            case "/release":
                _release.TrySetResult();
                await context.Response.WriteAsync("{}");
                return;
            case "/redis/stop":
                // What the script cannot do itself: take the fleet's Redis away, and bring it back.
                await _fleet.Redis.StopAsync();
                await context.Response.WriteAsync("{}");
                return;
            case "/redis/start":
                await _fleet.Redis.StartAgainAsync();
                await context.Response.WriteAsync("{}");
                return;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"error":{"message":"not here","type":"invalid_request_error"}}""");
                return;
        }
    }
}
