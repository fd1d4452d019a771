using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Codex;

/// <summary>Codex: a form token endpoint and the id_token claims.</summary>
public sealed class CodexLoginTests : LoginHarness
{
    [Fact]
    public async Task Codex_login_uses_a_form_and_reads_the_id_token()
    {
        var idToken = "eyJhbGciOiJub25lIn0." + PkceCodes.Base64UrlOf("""{"email":"c@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acc-9","chatgpt_plan_type":"plus"}}"""u8) + ".x";
        Fake.OnJson("/oauth/token", _ => (200, $$"""{"access_token":"cat","refresh_token":"crt","id_token":"{{idToken}}","expires_in":864000}"""));
        var browser = new Browser();

        var account = await AccountLogin.LoginAsync("codex", Settings("codex"), Options(browser), Store, Http, Timeout());

        var query = Query(browser.Url!);
        Assert.Equal("login", query["prompt"]);
        Assert.Equal("true", query["codex_cli_simplified_flow"]);
        Assert.Equal("true", query["id_token_add_organizations"]);
        Assert.EndsWith("/auth/callback", query["redirect_uri"], StringComparison.Ordinal);
        var form = Assert.Single(Fake.Requests).Form();
        Assert.Equal("authorization_code", form["grant_type"]);
        Assert.Equal("codex-client", form["client_id"]);
        Assert.Equal("the-code", form["code"]);
        Assert.Equal(query["code_challenge"], PkceCodes.ChallengeOf(form["code_verifier"]));

        Assert.Equal("codex-c@example.com", account.Id);
        Assert.Equal("acc-9", Assert.IsType<CodexDetails>(account.Details).ChatGptAccountId);
        var file = JsonNode.Parse(Dir.Read("codex-c@example.com.json"))!.AsObject();
        Assert.Equal("acc-9", file["account_id"]!.GetValue<string>());
        Assert.Equal(idToken, file["id_token"]!.GetValue<string>());
        Assert.NotNull(file["last_refresh"]);
    }
}
