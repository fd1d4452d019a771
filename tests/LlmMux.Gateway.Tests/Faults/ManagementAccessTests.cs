using System.Net;
using System.Text;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>Management under a rebinding name, and a guesser on the same machine that must not lock the admin out.</summary>
public sealed class ManagementAccessTests
{
    private const string Config = """
        management:
          secret-key: "access-secret"
        providers: []
        """;

    private static HttpRequestMessage Accounts(string key, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts");
        request.Headers.Add("X-Management-Key", key);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return request;
    }

    [Fact]
    public async Task Management_under_a_foreign_host_name_is_421_even_with_the_secret()
    {
        await using var gateway = await GatewayFixture.StartAsync(Config);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Accounts("access-secret"))).StatusCode);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await gateway.Client.SendAsync(Accounts("access-secret", "rebind.evil.example"))).StatusCode);
    }

    [Fact]
    public async Task A_local_guesser_cannot_lock_out_an_admin_whose_secret_already_passed()
    {
        await using var gateway = await GatewayFixture.StartAsync(Config);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Accounts("access-secret"))).StatusCode);

        for (var i = 0; i < 6; i++)
        {
            await gateway.Client.SendAsync(Accounts($"guess-{i}"));
        }

        var guess = await gateway.Client.SendAsync(Accounts("guess-7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, guess.StatusCode);
        Assert.NotNull(guess.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Accounts("access-secret"))).StatusCode);
    }

    [Fact]
    public void Any_origin_needs_client_keys()
    {
        var refused = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("security:\n  allowed-origins: [\"*\"]\n", "t.yaml"));
        Assert.Contains("needs api-keys", refused.Message, StringComparison.Ordinal);
        Assert.Single(ConfigLoader.Parse("api-keys: [k]\nsecurity:\n  allowed-origins: [\"*\"]\n", "t.yaml").Security.AllowedOrigins);
    }

    [Fact]
    public async Task Rate_limits_hold_however_many_made_up_keys_a_keyless_caller_sends()
    {
        await using var gateway = await GatewayFixture.StartAsync("limits:\n  requests-per-minute: 3\nproviders: []\n");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"none","messages":[]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Authorization", $"Bearer made-up-{i}");
            statuses.Add((await gateway.Client.SendAsync(request)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
