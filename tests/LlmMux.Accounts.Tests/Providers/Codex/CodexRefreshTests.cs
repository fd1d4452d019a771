using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Codex;

/// <summary>Codex refresh: a form grant, and the ChatGPT account id from the new id_token.</summary>
public sealed class CodexRefreshTests : CredentialHarness
{
    [Fact]
    public async Task Codex_refresh_uses_a_form_and_updates_the_account_id()
    {
        Dir.Write("codex-c@example.com.json", $$"""{"type":"codex","email":"c@example.com","access_token":"old","refresh_token":"crt-0","account_id":"acc-old","expired":"{{AccountFiles.FormatTime(Time.GetUtcNow())}}"}""");
        var idToken = Jwt("""{"email":"c@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acc-new"}}""");
        Fake.OnJson("/token", _ => (200, $$"""{"access_token":"cat-1","refresh_token":"crt-1","id_token":"{{idToken}}","expires_in":3600}"""));
        using var h = Open();

        var credential = await h.Service.GetAsync("codex-c@example.com", default);

        Assert.Equal("cat-1", credential.AccessToken);
        Assert.Equal("acc-new", Assert.IsType<CodexDetails>(credential.Details).ChatGptAccountId);
        var form = Assert.Single(Fake.Requests).Form();
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("crt-0", form["refresh_token"]);
        Assert.Equal("openid profile email", form["scope"]);
        Assert.Equal("crt-1", JsonNode.Parse(Dir.Read("codex-c@example.com.json"))!["refresh_token"]!.GetValue<string>());
    }
}
