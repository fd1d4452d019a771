using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Gemini;

/// <summary>Gemini refresh: the installed-app secret, the token object, the project in the credential.</summary>
public sealed class GeminiRefreshTests : CredentialHarness
{
    [Fact]
    public async Task Gemini_refresh_sends_the_client_secret_and_keeps_an_unrotated_refresh_token()
    {
        Dir.Write("gemini-g@example.com.json", $$$"""{"type":"gemini","email":"g@example.com","project_id":"p1","token":{"access_token":"old","refresh_token":"grt","token_type":"Bearer","expiry":"{{{AccountFiles.FormatTime(Time.GetUtcNow())}}}","token_uri":"https://oauth2.googleapis.com/token"}}""");
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.new","expires_in":3599,"token_type":"Bearer"}"""));
        using var h = Open();

        var credential = await h.Service.GetAsync("gemini-g@example.com", default);

        Assert.Equal("ya29.new", credential.AccessToken);
        Assert.Equal("p1", Assert.IsType<GeminiDetails>(credential.Details).ProjectId);
        var form = Assert.Single(Fake.Requests).Form();
        Assert.Equal("test-secret", form["client_secret"]);
        Assert.Equal("grt", form["refresh_token"]);
        var token = JsonNode.Parse(Dir.Read("gemini-g@example.com.json"))!["token"]!.AsObject();
        Assert.Equal("grt", token["refresh_token"]!.GetValue<string>());
        Assert.Equal("ya29.new", token["access_token"]!.GetValue<string>());
        Assert.Equal("https://oauth2.googleapis.com/token", token["token_uri"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(Time.GetUtcNow().AddSeconds(3599)), token["expiry"]!.GetValue<string>());
    }
}
