using System.Net;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// Login accounts held as one fleet (issue 16): replicas with separate auth dirs share each account file through Redis
/// (sealed), refresh a rotating token once for the whole fleet under the Redis lock, and keep serving with the local
/// lock while Redis is away. The fake token endpoint rotates the refresh token on every use and rejects a reused one
/// with invalid_grant, like Anthropic's; the fake upstream takes only the newest access token.
/// </summary>
public sealed class SharedCredentialEndToEndTests : IAsyncLifetime
{
    private const string Model = "claude-sonnet-4-5-20250929";
    private const string AccountId = "claude-alice@example.com";

    /// <summary>base64 of 32 bytes: used as the AES key as it is.</summary>
    private static readonly string ClusterKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private readonly Lock _gate = new();
    private FakeUpstream _fake = null!;
    private ClusterFleet _fleet = null!;
    private int _generation;
    private string _refreshToken = "r-secret-0";
    private string? _accessToken = "tok-secret-0";
    private int _refreshCalls;
    private int _reusedRefreshes;
    private readonly List<string> _servedWith = [];

    public async Task InitializeAsync()
    {
        _fake = await FakeUpstream.StartAsync(HandleAsync);
        _fleet = await ClusterFleet.CreateAsync($"""
            providers:
              - name: claude
                type: claude
                base-url: {_fake.BaseUrl}
                models: [{Model}]
                oauth:
                  token-url: {_fake.BaseUrl}/claude/oauth/token
                  client-id: claude-e2e-client
            """);
    }

    private Task StartAsync(int count) => _fleet.StartAsync(count, new Dictionary<string, string> { ["LLM_MUX_CLUSTER_KEY"] = ClusterKey });

    [Fact]
    public async Task Thirty_requests_over_three_replicas_refresh_a_rejected_rotating_token_once()
    {
        WriteAccount(0);
        await StartAsync(3);
        await AllReplicasHoldAsync("tok-secret-0");

        // The access token is dead upstream (expired early, as tokens do): every replica meets a 401 at once.
        Revoke();
        var requests = Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await _fleet.ChatAsync(i % 3, Model, "hello " + i);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        });
        var results = await Task.WhenAll(requests);

        Assert.All(results, r => Assert.True(r.StatusCode == HttpStatusCode.OK, r.Body));
        Assert.Equal(1, Volatile.Read(ref _refreshCalls));
        Assert.Equal(0, Volatile.Read(ref _reusedRefreshes));
        lock (_gate)
        {
            Assert.Equal(30, _servedWith.Count);
            Assert.All(_servedWith, token => Assert.Equal("tok-secret-1", token));
        }

        await AllReplicasHoldAsync("tok-secret-1");
    }

    [Fact]
    public async Task Copies_of_an_expired_account_in_three_auth_dirs_are_refreshed_once_for_the_fleet()
    {
        // The same file copied to every replica (no shared disk), its access token already past its expiry: each
        // replica wants to refresh it at start and on its first request; the rotating refresh token is spent once.
        foreach (var replica in new[] { 0, 1, 2 })
        {
            WriteAccount(replica, expiresIn: TimeSpan.FromMinutes(-10));
        }

        await StartAsync(3);
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await _fleet.ChatAsync(i % 3, Model, "hello " + i);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(results, r => Assert.True(r.StatusCode == HttpStatusCode.OK, r.Body));
        Assert.Equal(1, Volatile.Read(ref _refreshCalls));
        lock (_gate)
        {
            Assert.Equal(30, _servedWith.Count);
            Assert.All(_servedWith, token => Assert.Equal("tok-secret-1", token));
        }

        await AllReplicasHoldAsync("tok-secret-1");
    }

    [Fact]
    public async Task An_account_of_one_replica_reaches_the_others_sealed_in_redis_and_its_removal_too()
    {
        WriteAccount(0);
        await StartAsync(3);
        await AllReplicasHoldAsync("tok-secret-0");

        foreach (var replica in new[] { 1, 2 })
        {
            var accounts = (await _fleet.ManagementAsync(replica, "accounts")).AsArray();
            Assert.Contains(accounts, a => a?["id"]?.GetValue<string>().Contains(AccountId, StringComparison.Ordinal) == true);
            using var response = await _fleet.ChatAsync(replica, Model);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_fleet.Redis.Port}"))
        {
            var stored = await redis.GetDatabase().HashGetAllAsync($"{_fleet.Namespace}:account:{AccountId}");
            var text = string.Join("\n", stored.Select(e => $"{e.Name}={System.Text.Encoding.Latin1.GetString((byte[])e.Value!)}"));
            Assert.Contains("blob=", text, StringComparison.Ordinal);
            Assert.True(((byte[])stored.Single(e => e.Name == "blob").Value!).Length > 100);
            Assert.DoesNotContain("tok-secret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("r-secret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("alice@example.com", text, StringComparison.Ordinal);
        }

        // Removed through replica 1's management API: gone from every auth dir.
        using (var http = new HttpClient())
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{_fleet[1].BaseUrl}/v0/management/accounts/{AccountId}"))
        {
            delete.Headers.Add("X-Management-Key", ClusterFleet.Secret);
            using var response = await http.SendAsync(delete);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        foreach (var replica in new[] { 0, 2 })
        {
            await ClusterFleet.EventuallyAsync(() => Task.FromResult(!File.Exists(AccountPath(replica))), $"replica {replica} drops the removed account");
        }
    }

    [Fact]
    public async Task With_redis_killed_a_refresh_uses_the_local_lock_and_the_newest_token_wins_after_it_returns()
    {
        WriteAccount(0);
        await StartAsync(3);
        await AllReplicasHoldAsync("tok-secret-0");

        await _fleet.Redis.StopAsync();
        Revoke();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _fleet.ChatAsync(0, Model);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, Volatile.Read(ref _refreshCalls));
        Assert.Contains("tok-secret-1", await File.ReadAllTextAsync(AccountPath(0)), StringComparison.Ordinal);

        // Redis comes back empty: every replica offers its copy, and replica 0's, refreshed last, wins everywhere.
        await _fleet.Redis.StartAgainAsync();
        await AllReplicasHoldAsync("tok-secret-1", seconds: 60);
        foreach (var replica in new[] { 1, 2 })
        {
            using var response = await _fleet.ChatAsync(replica, Model);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, Volatile.Read(ref _refreshCalls));
        Assert.Equal(0, Volatile.Read(ref _reusedRefreshes));
    }

    private string AccountPath(int replica) => Path.Combine(_fleet.AuthDir(replica), AccountId + ".json");

    private void WriteAccount(int replica, TimeSpan? expiresIn = null)
    {
        Directory.CreateDirectory(_fleet.AuthDir(replica));
        var now = DateTimeOffset.UtcNow;
        File.WriteAllText(AccountPath(replica), new JsonObject
        {
            ["type"] = "claude",
            ["email"] = "alice@example.com",
            ["access_token"] = "tok-secret-0",
            ["refresh_token"] = "r-secret-0",
            ["expired"] = now.Add(expiresIn ?? TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["last_refresh"] = now.AddHours(-9).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }.ToJsonString());
    }

    private async Task AllReplicasHoldAsync(string accessToken, int seconds = 30)
    {
        for (var replica = 0; replica < _fleet.Replicas.Count; replica++)
        {
            var path = AccountPath(replica);
            await ClusterFleet.EventuallyAsync(
                async () => File.Exists(path) && (await File.ReadAllTextAsync(path)).Contains(accessToken, StringComparison.Ordinal),
                $"replica {replica}'s auth dir holds {accessToken}", seconds);
        }
    }

    /// <summary>The current access token stops working upstream; only a refresh helps.</summary>
    private void Revoke()
    {
        lock (_gate)
        {
            _accessToken = null;
        }
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        switch (context.Request.Path.Value)
        {
            case "/claude/oauth/token":
            {
                var body = JsonNode.Parse(request.Body)!;
                string answer;
                lock (_gate)
                {
                    Interlocked.Increment(ref _refreshCalls);
                    if (body["grant_type"]?.GetValue<string>() != "refresh_token" || body["refresh_token"]?.GetValue<string>() != _refreshToken)
                    {
                        Interlocked.Increment(ref _reusedRefreshes);
                        answer = "";
                    }
                    else
                    {
                        _generation++;
                        (_accessToken, _refreshToken) = ($"tok-secret-{_generation}", $"r-secret-{_generation}");
                        answer = $$"""{"access_token":"{{_accessToken}}","refresh_token":"{{_refreshToken}}","expires_in":28800,"token_type":"Bearer"}""";
                    }
                }

                context.Response.ContentType = "application/json";
                if (answer.Length == 0)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsync("""{"error":"invalid_grant","error_description":"Refresh token already used"}""");
                    return;
                }

                await context.Response.WriteAsync(answer);
                return;
            }

            case "/v1/messages":
            {
                var sent = context.Request.Headers.Authorization.ToString();
                bool valid;
                lock (_gate)
                {
                    valid = _accessToken is not null && sent == "Bearer " + _accessToken;
                    if (valid)
                    {
                        _servedWith.Add(_accessToken!);
                    }
                }

                context.Response.ContentType = "application/json";
                if (!valid)
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsync("""{"type":"error","error":{"type":"authentication_error","message":"OAuth token has expired."}}""");
                    return;
                }

                await context.Response.WriteAsync($$$"""{"id":"msg_1","type":"message","role":"assistant","model":"{{{Model}}}","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}""");
                return;
            }

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
