using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Antigravity;

/// <summary>Antigravity refresh: Google's refresh grant with the client secret, the flat file, the project in the credential.</summary>
public sealed class AntigravityRefreshTests : CredentialHarness
{
    [Fact]
    public async Task An_expired_antigravity_token_is_refreshed_and_written_back_with_the_project()
    {
        Dir.Write("antigravity-ag@example.com.json", $$$"""{"type":"antigravity","email":"ag@example.com","project_id":"ag-proj-1","access_token":"old","refresh_token":"agr","expired":"{{{AccountFiles.FormatTime(Time.GetUtcNow())}}}","timestamp":1700000000000}""");
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.new","expires_in":3599,"token_type":"Bearer"}"""));
        using var h = Open();

        var credential = await h.Service.GetAsync("antigravity-ag@example.com", default);

        Assert.Equal("ya29.new", credential.AccessToken);
        Assert.Equal("ag-proj-1", Assert.IsType<AntigravityDetails>(credential.Details).ProjectId);
        var form = Assert.Single(Fake.Requests).Form();
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("test-secret", form["client_secret"]);
        Assert.Equal("agr", form["refresh_token"]);
        var file = JsonNode.Parse(Dir.Read("antigravity-ag@example.com.json"))!.AsObject();
        Assert.Equal("ya29.new", file["access_token"]!.GetValue<string>());
        Assert.Equal("agr", file["refresh_token"]!.GetValue<string>());
        Assert.Equal(1700000000000, file["timestamp"]!.GetValue<long>());
        Assert.Equal(AccountFiles.FormatTime(Time.GetUtcNow().AddSeconds(3599)), file["expired"]!.GetValue<string>());
    }
}
