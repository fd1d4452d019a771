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
}
