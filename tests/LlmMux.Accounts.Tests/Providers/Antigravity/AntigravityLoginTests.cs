using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Antigravity;

/// <summary>Antigravity: the Google exchange with the Antigravity client, the e-mail, and the shared Code Assist project set-up under Antigravity's identity.</summary>
public sealed class AntigravityLoginTests : LoginHarness
{
    [Fact]
    public async Task Antigravity_login_asks_its_scopes_exchanges_and_finds_the_project_as_the_ide()
    {
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.ag","refresh_token":"1//agr","expires_in":3599,"token_type":"Bearer"}"""));
        Fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"ag@example.com","verified_email":true}"""));
        Fake.OnJson("/v1internal:loadCodeAssist", _ => (200, """{"allowedTiers":[{"id":"free-tier","isDefault":true}]}"""));
        Fake.OnJson("/v1internal:onboardUser", _ => (200, """{"done":true,"response":{"cloudaicompanionProject":{"id":"ag-proj-1"}}}"""));
        var browser = new Browser();

        var account = await AccountLogin.LoginAsync("ag", Settings("antigravity"), Options(browser), Store, Http, Timeout());

        var query = Query(browser.Url!);
        Assert.Equal("offline", query["access_type"]);
        Assert.Equal("consent", query["prompt"]);
        Assert.Contains("https://www.googleapis.com/auth/cclog", query["scope"], StringComparison.Ordinal);
        Assert.Contains("https://www.googleapis.com/auth/experimentsandconfigs", query["scope"], StringComparison.Ordinal);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.EndsWith("/oauth-callback", query["redirect_uri"], StringComparison.Ordinal);
        var exchange = Fake.Requests.First(r => r.Path == "/token").Form();
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.Equal("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", exchange["client_secret"]);
        Assert.False(string.IsNullOrEmpty(exchange["code_verifier"]));
        var load = Fake.Requests.First(r => r.Path == "/v1internal:loadCodeAssist");
        Assert.Equal("Bearer ya29.ag", load.Headers["Authorization"]);
        Assert.StartsWith("antigravity/", load.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal(AntigravityIdentity.ApiClient, load.Headers["X-Goog-Api-Client"]);
        Assert.Equal("free-tier", JsonNode.Parse(Fake.Requests.First(r => r.Path == "/v1internal:onboardUser").Body)!["tierId"]!.GetValue<string>());

        Assert.Equal("antigravity-ag@example.com", account.Id);
        Assert.Equal("ag-proj-1", Assert.IsType<AntigravityDetails>(account.Details).ProjectId);
        var file = JsonNode.Parse(Dir.Read("antigravity-ag@example.com.json"))!.AsObject();
        Assert.Equal("antigravity", file["type"]!.GetValue<string>());
        Assert.Equal("ag@example.com", file["email"]!.GetValue<string>());
        Assert.Equal("ag-proj-1", file["project_id"]!.GetValue<string>());
        Assert.Equal("ya29.ag", file["access_token"]!.GetValue<string>());
        Assert.Equal("1//agr", file["refresh_token"]!.GetValue<string>());
        Assert.NotNull(file["expired"]);
    }

    [Fact]
    public async Task A_refused_project_set_up_fails_the_login_and_writes_no_file()
    {
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.ag","refresh_token":"1//agr","expires_in":3599}"""));
        Fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"ag@example.com"}"""));
        Fake.OnJson("/v1internal:loadCodeAssist", _ => (403, """{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}"""));

        await Assert.ThrowsAnyAsync<Exception>(() => AccountLogin.LoginAsync("antigravity", Settings("antigravity"), Options(new Browser()), Store, Http, Timeout()));

        Assert.False(File.Exists(Path.Combine(Dir.Auth, "antigravity-ag@example.com.json")));
    }
}
