using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Login;

/// <summary>What every browser login shares: the callback state check, denial, pasting, naming and re-login.</summary>
public sealed class LoginTests : LoginHarness
{
    [Fact]
    public async Task A_callback_with_the_wrong_state_is_refused_and_the_login_waits_for_the_right_one()
    {
        Fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"a","refresh_token":"r","expires_in":3600,"account":{"email_address":"x@example.com"}}"""));
        var browser = new Browser { ForgedFirst = true };

        var account = await AccountLogin.LoginAsync("claude", Settings("claude", tokenPath: "/v1/oauth/token"), Options(browser), Store, Http, Timeout());

        await browser.Called;
        Assert.Equal(400, browser.ForgedStatus);
        Assert.Equal(200, browser.CallbackStatus);
        Assert.Equal("claude-x@example.com", account.Id);
        Assert.Equal("the-code", JsonNode.Parse(Assert.Single(Fake.Requests).Body)!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_denied_authorization_is_reported()
    {
        var browser = new Browser { Error = "access_denied" };

        var error = await Assert.ThrowsAsync<OAuthException>(() =>
            AccountLogin.LoginAsync("codex", Settings("codex"), Options(browser), Store, Http, Timeout()));

        Assert.Equal("access_denied", error.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pasted_redirect_url_or_code_hash_state_completes_the_login(bool fullUrl)
    {
        Fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"a","refresh_token":"r","expires_in":3600,"account":{"email_address":"p@example.com"}}"""));
        string? url = null;
        var urlSeen = new TaskCompletionSource();
        var input = new DeferredReader(async () =>
        {
            await urlSeen.Task;
            var state = Query(url!)["state"];
            return fullUrl ? $"http://localhost:54545/callback?code=pasted-code&state={Uri.EscapeDataString(state)}" : $"pasted-code#{state}";
        });
        var options = new LoginOptions
        {
            Input = input,
            OpenBrowser = u => { url = u; urlSeen.SetResult(); return false; },
            TimeProvider = Time,
        };

        var account = await AccountLogin.LoginAsync("claude", Settings("claude", tokenPath: "/v1/oauth/token"), options, Store, Http, Timeout());

        Assert.Equal("claude-p@example.com", account.Id);
        var body = JsonNode.Parse(Assert.Single(Fake.Requests).Body)!;
        Assert.Equal("pasted-code", body["code"]!.GetValue<string>());
        Assert.Equal(Query(url!)["state"], body["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pasted_url_from_another_attempt_is_rejected()
    {
        var input = new DeferredReader(() => Task.FromResult<string?>("http://localhost:54545/callback?code=c&state=someone-else"));
        var options = new LoginOptions { Input = input, NoBrowser = true, TimeProvider = Time };

        var error = await Assert.ThrowsAsync<OAuthException>(() =>
            AccountLogin.LoginAsync("claude", Settings("claude"), options, Store, Http, Timeout()));

        Assert.Contains("state mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public async Task Name_option_names_the_file_and_sets_the_label_and_relogin_keeps_extra_fields()
    {
        Fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"a2","refresh_token":"r2","expires_in":3600,"account":{"email_address":"alice@example.com"}}"""));
        Dir.Write("claude-work.json", """{"type":"claude","email":"alice@example.com","access_token":"a1","refresh_token":"r1","llm_mux_state":"expired","priority":7}""");
        await Store.RescanAsync();
        Assert.Equal(AccountState.Expired, Store.Find("claude-work")!.State);

        var account = await AccountLogin.LoginAsync("claude", Settings("claude", tokenPath: "/v1/oauth/token"), Options(new Browser()) with { Name = "work" }, Store, Http, Timeout());

        Assert.Equal("claude-work", account.Id);
        Assert.Equal("work", account.Label);
        Assert.Equal(AccountState.Ready, account.State);
        var file = JsonNode.Parse(Dir.Read("claude-work.json"))!.AsObject();
        Assert.Equal(7, file["priority"]!.GetValue<int>());
        Assert.Equal("r2", file["refresh_token"]!.GetValue<string>());
        Assert.False(file.ContainsKey("llm_mux_state"));
    }
}
