using System.Net;
using System.Text;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Tests.Gateway;
using LlmMux.Gateway.Tests.Matrix;
using LlmMux.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// C1 and L14 on the real gateway: two claude login accounts, the first due for a refresh whose token endpoint
/// hangs (or redirects). The gateway must stay up, requests must fail over to the second account, and the refresh
/// status must tell what happened.
/// </summary>
public sealed class TokenEndpointFaultTests : IAsyncLifetime
{
    private const string Due = "claude-a@example.com";
    private static readonly string Future = DateTimeOffset.UtcNow.AddHours(6).ToString("O");
    private static readonly string Past = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
    private readonly TaskCompletionSource _testEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeUpstream _upstream = null!;
    private FakeUpstream _elsewhere = null!;
    private string _dir = "";
    private Func<HttpContext, Task> _tokenEndpoint = _ => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _elsewhere = await FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"access_token":"stolen","refresh_token":"stolen","expires_in":28800}""");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-faults-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "auth"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "auth", Due + ".json"), $$"""{"type":"claude","email":"a@example.com","access_token":"tok-a-old","refresh_token":"r-a","expired":"{{Past}}"}""");
        await File.WriteAllTextAsync(Path.Combine(_dir, "auth", "claude-b@example.com.json"), $$"""{"type":"claude","email":"b@example.com","access_token":"tok-b","refresh_token":"r-b","expired":"{{Future}}"}""");
    }

    public async Task DisposeAsync()
    {
        _testEnded.TrySetResult();
        await _upstream.DisposeAsync();
        await _elsewhere.DisposeAsync();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_hanging_token_endpoint_neither_stops_the_gateway_nor_keeps_requests_from_failing_over()
    {
        _tokenEndpoint = async context =>
        {
            try
            {
                await _testEnded.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        };
        await using var gateway = await StartAsync(shortTimeouts: true);
        var lifetime = gateway.GetService<IHostApplicationLifetime>();
        var credentials = gateway.GetService<CredentialService>();

        // The first background pass runs at start-up; its refresh of the due account times out in the pipeline.
        var status = await WaitForFailureAsync(credentials);

        Assert.Contains("timed out", status.LastFailure, StringComparison.Ordinal);
        Assert.NotNull(status.NextRetryAt);
        Assert.Equal(HttpStatusCode.OK, (await MessagesAsync(gateway)).StatusCode);
        Assert.Equal("Bearer tok-b", Assert.Single(ClaudeCalls()).Headers["Authorization"]);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Contains(_upstream.Requests, r => r.PathAndQuery == "/oauth/token");

        // The accounts view says what happened and when the next try is.
        using var view = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts");
        view.Headers.Add("X-Management-Key", "test-secret");
        var rows = System.Text.Json.Nodes.JsonNode.Parse(await (await gateway.Client.SendAsync(view)).Content.ReadAsStringAsync())!.AsArray();
        var due = rows.Single(r => r!["id"]!.GetValue<string>().EndsWith(Due, StringComparison.Ordinal))!;
        Assert.Contains("timed out", due["refresh"]!["last_failure"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(due["refresh"]!["next_retry_at"]);
    }

    [Fact]
    public async Task The_oauth_client_does_not_follow_a_redirect_of_the_token_endpoint()
    {
        _tokenEndpoint = context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = _elsewhere.BaseUrl.TrimEnd('/') + "/oauth/token";
            return Task.CompletedTask;
        };
        await using var gateway = await StartAsync();

        var status = await WaitForFailureAsync(gateway.GetService<CredentialService>());

        Assert.Contains("HTTP 307", status.LastFailure, StringComparison.Ordinal);
        Assert.Empty(_elsewhere.Requests);
        Assert.Equal(HttpStatusCode.OK, (await MessagesAsync(gateway)).StatusCode);
        Assert.Equal("Bearer tok-b", Assert.Single(ClaudeCalls()).Headers["Authorization"]);
        Assert.DoesNotContain("stolen", await File.ReadAllTextAsync(Path.Combine(_dir, "auth", Due + ".json")), StringComparison.Ordinal);
    }

    /// <summary>Only the hanging-endpoint test shortens the OAuth time-outs: on a busy machine a cold first call can
    /// take longer than half a second, and the redirect test must see the 307, not a time-out.</summary>
    private Task<GatewayFixture> StartAsync(bool shortTimeouts = false) => GatewayFixture.StartAsync(
        $$"""
        management: { secret-key: test-secret }
        providers:
          - { name: claude, type: claude, strategy: fill-first, base-url: "{{_upstream.BaseUrl}}", oauth: { token-url: "{{_upstream.BaseUrl.TrimEnd('/')}}/oauth/token" }, models: [claude-sonnet-4-5] }
        """,
        builder =>
        {
            if (shortTimeouts)
            {
                builder.Services.Configure<HttpStandardResilienceOptions>("llm-mux-oauth-standard", o =>
                {
                    // The host's 10 s / 30 s would make this test slow, not different.
                    o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(500);
                    o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(2);
                });
            }
        },
        _dir);

    private static async Task<RefreshStatus> WaitForFailureAsync(CredentialService credentials)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (credentials.GetRefreshStatus(Due) is { LastFailure: not null } status)
            {
                return status;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static Task<HttpResponseMessage> MessagesAsync(GatewayFixture gateway) => gateway.Client.PostAsync(
        "/v1/messages",
        new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Weather in Paris?"}]}""", Encoding.UTF8, "application/json"));

    private List<RecordedRequest> ClaudeCalls()
    {
        lock (_upstream.Requests)
        {
            return [.. _upstream.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal))];
        }
    }

    private Task HandleAsync(HttpContext context, RecordedRequest request) => context.Request.Path.Value switch
    {
        "/oauth/token" => _tokenEndpoint(context),
        "/v1/messages" => UpstreamScripts.AnswerAsync("anthropic", context, request),
        _ => WriteNotFound(context),
    };

    private static Task WriteNotFound(HttpContext context)
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }
}
