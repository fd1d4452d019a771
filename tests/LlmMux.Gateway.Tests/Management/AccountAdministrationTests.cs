using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Management;

public sealed class AccountAdministrationTests
{
    private static HttpRequestMessage Call(HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, "/v0/management" + path);
        request.Headers.Add("X-Management-Key", "secret-1");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<int> ClaudeAccountsAfterAsync(GatewayFixture gateway, Func<Task> change)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(GatewaySnapshot s) => done.TrySetResult(s.Providers.Single().Accounts.Count);
        gateway.Store.Reloaded += OnReloaded;
        try
        {
            await change();
            return await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            gateway.Store.Reloaded -= OnReloaded;
        }
    }

    [Fact]
    public async Task An_uploaded_account_serves_until_disabled_or_deleted()
    {
        await using var gateway = await GatewayFixture.StartAsync("""
            management: { secret-key: "secret-1" }
            providers:
              - { name: claude, type: claude, models: [claude-sonnet-4-5] }
            """);
        const string file = """{"type":"claude","email":"new@example.com","access_token":"tok","refresh_token":"r","expired":"2099-01-01T00:00:00Z"}""";

        HttpResponseMessage? uploaded = null;
        Assert.Equal(1, await ClaudeAccountsAfterAsync(gateway, async () => uploaded = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/accounts", file))));
        Assert.Equal(HttpStatusCode.Created, uploaded!.StatusCode);
        var id = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.Equal("claude-new@example.com", id);
        Assert.True(File.Exists(Path.Combine(gateway.Dir, "auth", id + ".json")));

        Assert.Equal(0, await ClaudeAccountsAfterAsync(gateway, () => gateway.Client.SendAsync(Call(HttpMethod.Post, $"/accounts/{id}/disable"))));
        Assert.Equal(1, await ClaudeAccountsAfterAsync(gateway, () => gateway.Client.SendAsync(Call(HttpMethod.Post, $"/accounts/{id}/enable"))));
        Assert.Equal(0, await ClaudeAccountsAfterAsync(gateway, () => gateway.Client.SendAsync(Call(HttpMethod.Delete, $"/accounts/{id}"))));
        Assert.False(File.Exists(Path.Combine(gateway.Dir, "auth", id + ".json")));

        var bad = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/accounts", """{"type":"claude","email":"x"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.SendAsync(Call(HttpMethod.Delete, "/accounts/claude-nobody"))).StatusCode);
    }

    /// <summary>A gateway whose Claude logins authorize and exchange codes at <paramref name="oauth"/>, the callback on any free port.</summary>
    private static Task<GatewayFixture> ClaudeLoginsAtAsync(string oauth) => GatewayFixture.StartAsync($$"""
        management: { secret-key: "secret-1" }
        providers:
          - name: claude
            type: claude
            models: [claude-sonnet-4-5]
            oauth: { authorize-url: "{{oauth}}/authorize", token-url: "{{oauth}}/token", callback-port: 0 }
        """);

    private static async Task<JsonNode> LoginUntilAsync(GatewayFixture gateway, string id, Func<JsonNode, bool> done)
    {
        for (var i = 0; ; i++)
        {
            using var poll = await gateway.Client.SendAsync(Call(HttpMethod.Get, $"/logins/{id}"));
            var job = JsonNode.Parse(await poll.Content.ReadAsStringAsync())!;
            if (done(job) || i == 600)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_pasted_callback_url_finishes_a_browser_login_on_a_headless_gateway()
    {
        string? exchanged = null;
        await using var oauth = await LlmMux.Testing.FakeUpstream.StartAsync(async (context, request) =>
        {
            exchanged = request.Body;
            context.Response.ContentType = "application/json";
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response,
                """{"access_token":"tok-pasted","refresh_token":"r-pasted","expires_in":28800,"token_type":"Bearer","account":{"email_address":"carol@example.com"}}""");
        });
        await using var gateway = await ClaudeLoginsAtAsync(oauth.BaseUrl);
        using var unknown = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins/nope/callback", """{"url":"http://localhost/callback?code=c&state=s"}"""));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var started = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins", """{"provider":"claude"}"""));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var waiting = await LoginUntilAsync(gateway, id, j => j["accepts_paste"]!.GetValue<bool>());
        Assert.True(waiting["accepts_paste"]!.GetValue<bool>(), waiting.ToJsonString());
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(waiting["instructions"]!.GetValue<string>(), @"https?://\S+/authorize\S+").Value);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);

        using var empty = await gateway.Client.SendAsync(Call(HttpMethod.Post, $"/logins/{id}/callback", """{"url":" "}"""));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var pasted = await gateway.Client.SendAsync(Call(HttpMethod.Post, $"/logins/{id}/callback",
            $$"""{"url":"{{query["redirect_uri"]}}?code=the-code&state={{query["state"]}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, pasted.StatusCode);

        var done = await LoginUntilAsync(gateway, id, j => j["state"]!.GetValue<string>() != "pending");
        Assert.Equal("done", done["state"]!.GetValue<string>());
        Assert.Equal("claude-carol@example.com", done["account_id"]!.GetValue<string>());
        Assert.False(done["accepts_paste"]!.GetValue<bool>());
        Assert.Contains("\"code\":\"the-code\"", exchanged, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(gateway.Dir, "auth", "claude-carol@example.com.json")));

        using var late = await gateway.Client.SendAsync(Call(HttpMethod.Post, $"/logins/{id}/callback", """{"url":"http://localhost/callback?code=again&state=x"}"""));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task A_url_pasted_from_another_login_attempt_ends_the_login_with_the_reason()
    {
        await using var gateway = await ClaudeLoginsAtAsync("http://127.0.0.1:1");
        using var started = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins", """{"provider":"claude"}"""));
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await LoginUntilAsync(gateway, id, j => j["accepts_paste"]!.GetValue<bool>());

        using var pasted = await gateway.Client.SendAsync(Call(HttpMethod.Post, $"/logins/{id}/callback", """{"url":"http://localhost:1/callback?code=c&state=not-this-login"}"""));
        Assert.Equal(HttpStatusCode.Accepted, pasted.StatusCode);
        var failed = await LoginUntilAsync(gateway, id, j => j["state"]!.GetValue<string>() != "pending");
        Assert.Equal("failed", failed["state"]!.GetValue<string>());
        Assert.Contains("state mismatch", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
