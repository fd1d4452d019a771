using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Copilot;

/// <summary>Copilot: the GitHub token exchanged for a cached Copilot token, and a rejected GitHub token.</summary>
public sealed class CopilotRefreshTests : CredentialHarness
{
    [Fact]
    public async Task Copilot_token_is_exchanged_cached_and_refreshed_before_expiry()
    {
        Dir.Write("github-copilot-octo.json", """{"type":"github-copilot","username":"octo","access_token":"gho_github"}""");
        var issued = 0;
        Fake.OnJson("/copilot_internal/v2/token", _ =>
        {
            var n = Interlocked.Increment(ref issued);
            var expiresAt = Time.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds();
            return (200, $$$"""{"token":"tid=copilot-{{{n}}}","expires_at":{{{expiresAt}}},"refresh_in":1500,"endpoints":{"api":"https://api.individual.githubcopilot.com"}}""");
        });
        using var h = Open();

        var first = await h.Service.GetAsync("github-copilot-octo", default);
        var cached = await h.Service.GetAsync("github-copilot-octo", default);
        Assert.Equal("tid=copilot-1", first.AccessToken);
        Assert.Equal("tid=copilot-1", cached.AccessToken);
        Assert.Equal("https://api.individual.githubcopilot.com", first.BaseUrl);
        var request = Assert.Single(Fake.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("token gho_github", request.Headers["Authorization"]);
        Assert.Equal("GithubCopilot/1.0", request.Headers["User-Agent"]);
        Assert.True(request.Headers.ContainsKey("Editor-Version"));

        // refresh_in (25 min) passed: a new exchange; the Copilot token is never written to the file.
        Time.Advance(TimeSpan.FromMinutes(26));
        Assert.Equal("tid=copilot-2", (await h.Service.GetAsync("github-copilot-octo", default)).AccessToken);
        Assert.DoesNotContain("tid=copilot", Dir.Read("github-copilot-octo.json"), StringComparison.Ordinal);

        // A 401 with the current token forces an exchange; with a superseded one it does not.
        Assert.Equal("tid=copilot-3", (await h.Service.RefreshAsync("github-copilot-octo", "tid=copilot-2", default)).AccessToken);
        Assert.Equal("tid=copilot-3", (await h.Service.RefreshAsync("github-copilot-octo", "tid=copilot-2", default)).AccessToken);
        Assert.Equal(3, Fake.Count("/copilot_internal/v2/token"));
    }

    [Fact]
    public async Task Copilot_github_token_rejected_marks_the_account_expired()
    {
        Dir.Write("github-copilot-octo.json", """{"type":"github-copilot","username":"octo","access_token":"gho_revoked"}""");
        Fake.OnJson("/copilot_internal/v2/token", _ => (401, """{"message":"Bad credentials"}"""));
        using var h = Open();

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync("github-copilot-octo", default).AsTask());

        Assert.Equal(AccountUnavailableReason.Expired, error.Reason);
        Assert.Equal(AccountState.Expired, h.Store.Find("github-copilot-octo")!.State);
    }
}
