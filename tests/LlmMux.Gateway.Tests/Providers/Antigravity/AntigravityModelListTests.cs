using System.Text.Json.Nodes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Quota;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Providers.Antigravity;

/// <summary>
/// Antigravity's model list: the static families until an account's quota is read, then also every model
/// <c>fetchAvailableModels</c> named for it (the quota reader's windows) that the provider serves.
/// </summary>
public sealed class AntigravityModelListTests : IAsyncLifetime
{
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("llm-mux-antigravity-models-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "auth"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "auth", "antigravity-a@example.com.json"),
            """{"type":"antigravity","email":"a@example.com","project_id":"proj-a","access_token":"tok-a","refresh_token":"r-a","expired":"2099-01-01T00:00:00Z"}""");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Models_an_accounts_quota_read_named_join_the_list_once_read()
    {
        await using var gateway = await GatewayFixture.StartAsync("""
            providers:
              - { name: ag, type: antigravity, base-url: "http://127.0.0.1:9", excluded-models: [gemini-3.1-pro-low] }
            """, dir: _dir);
        gateway.DeleteDirOnDispose = false;

        var before = await IdsAsync(gateway);
        Assert.DoesNotContain("gemini-3.1-pro-high", before);

        // What AntigravityQuotaReader makes of a fetchAvailableModels answer: family windows naming their models.
        var account = gateway.GetService<GatewayConfigStore>().Current.Providers.Single().Accounts.Single();
        gateway.GetService<QuotaStateStore>().Update(QuotaPoller.KeyFor(account), account.DestinationId, null,
        [
            new QuotaWindow("gemini-pro", 0.2, null, ["gemini-3.1-pro-high", "gemini-3.1-pro-low"]),
            new QuotaWindow("claude", 0.1, null, ["claude-opus-4-6-thinking", "claude-sonnet-4-5"]),
            new QuotaWindow("other", 0, null, ["gpt-oss-120b-medium"]),
        ]);

        var after = await IdsAsync(gateway);
        Assert.Contains("gemini-3.1-pro-high", after);
        Assert.Contains("claude-opus-4-6-thinking", after);
        Assert.Equal(1, after.Count(id => id == "claude-sonnet-4-5")); // listed once, static or reported
        Assert.DoesNotContain("gemini-3.1-pro-low", after);              // excluded-models still holds
        Assert.DoesNotContain("gpt-oss-120b-medium", after);           // not a model this type serves
        Assert.True(before.All(after.Contains));
    }

    private static async Task<List<string>> IdsAsync(GatewayFixture gateway)
    {
        var body = JsonNode.Parse(await gateway.Client.GetStringAsync("/v1/models"))!;
        return body["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
    }
}
