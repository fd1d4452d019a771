using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Gemini;

/// <summary>Gemini: the Google exchange, the e-mail, and the Code Assist project set-up.</summary>
public sealed class GeminiLoginTests : LoginHarness
{
    [Fact]
    public async Task Gemini_login_exchanges_reads_the_email_and_onboards_a_project()
    {
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.a","refresh_token":"1//r","expires_in":3599,"token_type":"Bearer","scope":"x"}"""));
        Fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"g@example.com","verified_email":true}"""));
        Fake.OnJson("/v1internal:loadCodeAssist", _ => (200, """{"allowedTiers":[{"id":"free-tier","isDefault":true,"userDefinedCloudaicompanionProject":false},{"id":"standard-tier"}]}"""));
        var onboardCalls = 0;
        Fake.OnJson("/v1internal:onboardUser", _ => Interlocked.Increment(ref onboardCalls) < 3
            ? (200, """{"name":"operations/1","done":false}""")
            : (200, """{"name":"operations/1","done":true,"response":{"cloudaicompanionProject":{"id":"proj-auto-123","name":"p"}}}"""));
        var browser = new Browser();

        var account = await AccountLogin.LoginAsync("gemini", Settings("gemini"), Options(browser), Store, Http, Timeout());

        var query = Query(browser.Url!);
        Assert.Equal("offline", query["access_type"]);
        Assert.Equal("consent", query["prompt"]);
        var exchange = Fake.Requests.First(r => r.Path == "/token").Form();
        Assert.Equal("gemini-secret", exchange["client_secret"]);
        Assert.Equal("authorization_code", exchange["grant_type"]);
        var userInfo = Fake.Requests.First(r => r.Path == "/oauth2/v1/userinfo");
        Assert.Equal("Bearer ya29.a", userInfo.Headers["Authorization"]);
        var load = Fake.Requests.First(r => r.Path == "/v1internal:loadCodeAssist");
        Assert.Equal("GEMINI", JsonNode.Parse(load.Body)!["metadata"]!["pluginType"]!.GetValue<string>());
        Assert.Equal("Bearer ya29.a", load.Headers["Authorization"]);
        var onboard = Fake.Requests.Where(r => r.Path == "/v1internal:onboardUser").ToList();
        Assert.Equal(3, onboard.Count);
        Assert.Equal("free-tier", JsonNode.Parse(onboard[0].Body)!["tierId"]!.GetValue<string>());
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], Time.Delays);

        Assert.Equal("gemini-g@example.com", account.Id);
        Assert.Equal("proj-auto-123", Assert.IsType<GeminiDetails>(account.Details).ProjectId);
        var file = JsonNode.Parse(Dir.Read("gemini-g@example.com.json"))!.AsObject();
        Assert.Equal("gemini", file["type"]!.GetValue<string>());
        Assert.Equal("proj-auto-123", file["project_id"]!.GetValue<string>());
        Assert.Equal("ya29.a", file["token"]!["access_token"]!.GetValue<string>());
        Assert.Equal("1//r", file["token"]!["refresh_token"]!.GetValue<string>());
        Assert.Equal("Bearer", file["token"]!["token_type"]!.GetValue<string>());
        Assert.NotNull(file["token"]!["expiry"]);
    }

    [Fact]
    public async Task Gemini_login_uses_the_project_loadCodeAssist_reports()
    {
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.a","refresh_token":"1//r","expires_in":3599}"""));
        Fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"g@example.com"}"""));
        Fake.OnJson("/v1internal:loadCodeAssist", _ => (200, """{"currentTier":{"id":"free-tier"},"cloudaicompanionProject":"existing-proj"}"""));

        var account = await AccountLogin.LoginAsync("gemini", Settings("gemini"), Options(new Browser()), Store, Http, Timeout());

        Assert.Equal("existing-proj", Assert.IsType<GeminiDetails>(account.Details).ProjectId);
        Assert.Equal(0, Fake.Count("/v1internal:onboardUser"));
    }

    [Fact]
    public async Task A_refused_individual_account_is_pointed_to_antigravity()
    {
        Fake.OnJson("/token", _ => (200, """{"access_token":"ya29.a","refresh_token":"1//r","expires_in":3599}"""));
        Fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"g@example.com"}"""));
        Fake.OnJson("/v1internal:loadCodeAssist", _ => (403, """{"error":{"code":403,"message":"This client is no longer supported for Gemini Code Assist for individuals. To continue using Gemini, please migrate to the Antigravity suite of products: https://antigravity.google","status":"PERMISSION_DENIED"}}"""));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => AccountLogin.LoginAsync("gemini", Settings("gemini"), Options(new Browser()), Store, Http, Timeout()));

        Assert.Contains("llm-mux login antigravity", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Dir.Auth, "gemini-g@example.com.json")));
    }
}
