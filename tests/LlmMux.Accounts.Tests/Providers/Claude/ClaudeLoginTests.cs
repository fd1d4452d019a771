using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Claude;

/// <summary>Claude: PKCE through the callback, the JSON token endpoint.</summary>
public sealed class ClaudeLoginTests : LoginHarness
{
    [Fact]
    public async Task Claude_login_completes_through_the_callback()
    {
        Fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"sk-ant-oat-1","refresh_token":"sk-ant-ort-1","expires_in":28800,"token_type":"Bearer","account":{"email_address":"alice@example.com","uuid":"u"},"organization":{"uuid":"o"}}"""));
        var settings = Settings("claude", tokenPath: "/v1/oauth/token");
        var browser = new Browser();
        var output = new StringWriter();

        var account = await AccountLogin.LoginAsync("claude", settings, Options(browser, output), Store, Http, Timeout());

        // The authorize URL carries everything the provider needs.
        var query = Query(browser.Url!);
        Assert.StartsWith(Fake.Url("/oauth/authorize") + "?", browser.Url, StringComparison.Ordinal);
        Assert.Equal("true", query["code"]);
        Assert.Equal("claude-client", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.StartsWith("http://localhost:", query["redirect_uri"], StringComparison.Ordinal);
        Assert.EndsWith("/callback", query["redirect_uri"], StringComparison.Ordinal);

        // The code exchange is JSON with the verifier matching the challenge.
        var body = JsonNode.Parse(Assert.Single(Fake.Requests).Body)!.AsObject();
        Assert.Equal("authorization_code", body["grant_type"]!.GetValue<string>());
        Assert.Equal("the-code", body["code"]!.GetValue<string>());
        Assert.Equal(query["state"], body["state"]!.GetValue<string>());
        Assert.Equal(query["redirect_uri"], body["redirect_uri"]!.GetValue<string>());
        Assert.Equal(query["code_challenge"], PkceCodes.ChallengeOf(body["code_verifier"]!.GetValue<string>()));
        Assert.True(body["code_verifier"]!.GetValue<string>().Length >= 43);

        Assert.Equal("claude-alice@example.com", account.Id);
        Assert.Equal(AccountState.Ready, account.State);
        var file = JsonNode.Parse(Dir.Read("claude-alice@example.com.json"))!.AsObject();
        Assert.Equal("claude", file["type"]!.GetValue<string>());
        Assert.Equal("alice@example.com", file["email"]!.GetValue<string>());
        Assert.Equal("sk-ant-oat-1", file["access_token"]!.GetValue<string>());
        Assert.Equal("sk-ant-ort-1", file["refresh_token"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(Time.GetUtcNow().AddHours(8)), file["expired"]!.GetValue<string>());
        Assert.Contains(browser.Url!, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("claude-alice@example.com", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-ant", output.ToString(), StringComparison.Ordinal);
    }
}
