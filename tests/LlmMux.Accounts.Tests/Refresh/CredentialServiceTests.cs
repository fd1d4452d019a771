using System.Text.Json.Nodes;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Accounts.Tests.Refresh;

public sealed class CredentialServiceTests : IAsyncLifetime
{
    private const string Id = "claude-alice@example.com";
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new();
    private readonly HttpClient _http = new();
    private FakeServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_fresh_token_is_returned_without_refreshing()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromHours(1));
        using var h = Open();

        var credential = await h.Service.GetAsync(Id, default);

        Assert.Equal("at-0", credential.AccessToken);
        Assert.Equal(_time.GetUtcNow().AddHours(1), credential.ExpiresAt);
        Assert.Empty(_fake.Requests);
        Assert.DoesNotContain("at-0", credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_within_the_lead_is_refreshed_and_persisted_before_it_is_returned()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(3));
        RotatingTokenEndpoint();
        using var h = Open();

        var credential = await h.Service.GetAsync(Id, default);

        Assert.Equal("at-1", credential.AccessToken);
        var request = Assert.Single(_fake.Requests);
        var body = JsonNode.Parse(request.Body)!.AsObject();
        Assert.Equal("refresh_token", body["grant_type"]!.GetValue<string>());
        Assert.Equal("rt-0", body["refresh_token"]!.GetValue<string>());
        Assert.Equal("test-client", body["client_id"]!.GetValue<string>());

        // Already on disk when the caller got the token.
        var file = JsonNode.Parse(_dir.Read(Id + ".json"))!.AsObject();
        Assert.Equal("at-1", file["access_token"]!.GetValue<string>());
        Assert.Equal("rt-1", file["refresh_token"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(_time.GetUtcNow().AddHours(8)), file["expired"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(_time.GetUtcNow()), file["last_refresh"]!.GetValue<string>());
        Assert.Equal("kept", file["unknown_field"]!.GetValue<string>());
        Assert.Equal(_time.GetUtcNow().AddHours(8), h.Store.Find(Id)!.Expiry);
    }

    [Fact]
    public async Task Twenty_concurrent_requests_on_an_expired_account_cause_exactly_one_refresh()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(-10));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RotatingTokenEndpoint(release.Task);
        using var h = Open();

        var callers = Enumerable.Range(0, 20).Select(_ => Task.Run(() => h.Service.GetAsync(Id, default).AsTask())).ToArray();
        await WaitUntil(() => _fake.Requests.Count >= 1);
        release.SetResult();
        var credentials = await Task.WhenAll(callers);

        Assert.All(credentials, c => Assert.Equal("at-1", c.AccessToken));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_refresh_finishes_and_is_persisted_even_when_the_caller_gives_up()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(-1));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RotatingTokenEndpoint(release.Task);
        using var h = Open();
        using var cts = new CancellationTokenSource();

        var caller = h.Service.GetAsync(Id, cts.Token).AsTask();
        await WaitUntil(() => _fake.Requests.Count == 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller);
        release.SetResult();

        await WaitUntil(() => _dir.Read(Id + ".json").Contains("rt-1", StringComparison.Ordinal));
        Assert.Equal("at-1", (await h.Service.GetAsync(Id, default)).AccessToken);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Rotated_refresh_tokens_are_used_next_time_even_after_a_restart()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(-1));
        RotatingTokenEndpoint();
        using (var h = Open())
        {
            Assert.Equal("at-1", (await h.Service.GetAsync(Id, default)).AccessToken);
            _time.Advance(TimeSpan.FromHours(9));
            Assert.Equal("at-2", (await h.Service.GetAsync(Id, default)).AccessToken);
        }

        // A new process reads the rotated token from the file; the fake rejects every earlier one.
        _time.Advance(TimeSpan.FromHours(9));
        using (var h = Open())
        {
            Assert.Equal("at-3", (await h.Service.GetAsync(Id, default)).AccessToken);
            Assert.Equal(AccountState.Ready, h.Store.Find(Id)!.State);
        }

        Assert.Equal(["rt-0", "rt-1", "rt-2"], _fake.Requests.Select(r => JsonNode.Parse(r.Body)!["refresh_token"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Invalid_grant_marks_the_account_expired_without_deleting_it()
    {
        var logger = new CapturingLogger<CredentialService>();
        WriteClaude("at-0", "rt-stolen", expiresIn: TimeSpan.FromMinutes(-1));
        RotatingTokenEndpoint();
        using var h = Open(logger);

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(Id, default).AsTask());

        Assert.Equal(AccountUnavailableReason.Expired, error.Reason);
        Assert.Equal(Id, error.AccountId);
        Assert.DoesNotContain("rt-stolen", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("at-0", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not found or invalid", error.ToString(), StringComparison.Ordinal);
        var file = JsonNode.Parse(_dir.Read(Id + ".json"))!.AsObject();
        Assert.Equal("expired", file["llm_mux_state"]!.GetValue<string>());
        Assert.Equal("rt-stolen", file["refresh_token"]!.GetValue<string>());
        Assert.Equal("kept", file["unknown_field"]!.GetValue<string>());
        Assert.Equal(AccountState.Expired, h.Store.Find(Id)!.State);
        Assert.DoesNotContain("rt-stolen", logger.All, StringComparison.Ordinal);
        Assert.Contains(Id, logger.All, StringComparison.Ordinal);

        // Later requests fail fast without calling the provider again.
        var again = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(Id, default).AsTask());
        Assert.Equal(AccountUnavailableReason.Expired, again.Reason);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Refresh_after_401_skips_the_refresh_when_the_rejected_token_was_already_replaced()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromHours(1));
        RotatingTokenEndpoint();
        using var h = Open();

        var unchanged = await h.Service.RefreshAsync(Id, "some-older-token", default);
        Assert.Equal("at-0", unchanged.AccessToken);
        Assert.Empty(_fake.Requests);

        var refreshed = await h.Service.RefreshAsync(Id, "at-0", default);
        Assert.Equal("at-1", refreshed.AccessToken);

        var second = await h.Service.RefreshAsync(Id, "at-0", default);
        Assert.Equal("at-1", second.AccessToken);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_transient_refresh_failure_keeps_serving_a_still_valid_token()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(3));
        _fake.OnJson("/token", _ => (503, """{"error":"temporarily_unavailable"}"""));
        using var h = Open();

        Assert.Equal("at-0", (await h.Service.GetAsync(Id, default)).AccessToken);
        Assert.Equal(AccountState.Ready, h.Store.Find(Id)!.State);

        // Within the failure back-off the endpoint is left alone.
        Assert.Equal("at-0", (await h.Service.GetAsync(Id, default)).AccessToken);
        Assert.Single(_fake.Requests);

        _time.Advance(TimeSpan.FromMinutes(4));
        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(Id, default).AsTask());
        Assert.Equal(AccountUnavailableReason.RefreshFailed, error.Reason);
        Assert.False(error.IsPermanent);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Disabled_and_unknown_accounts_are_refused()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromHours(1), disabled: true);
        using var h = Open();

        Assert.Equal(AccountUnavailableReason.Disabled, (await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(Id, default).AsTask())).Reason);
        Assert.Equal(AccountUnavailableReason.NotFound, (await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync("nope", default).AsTask())).Reason);
    }

    [Fact]
    public async Task Background_pass_refreshes_only_accounts_that_are_due()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(5.5));
        _dir.Write("claude-later@example.com.json", $$"""{"type":"claude","email":"later@example.com","access_token":"x","refresh_token":"y","expired":"{{AccountFiles.FormatTime(_time.GetUtcNow().AddHours(2))}}"}""");
        RotatingTokenEndpoint();
        using var h = Open();

        Assert.Equal(1, await h.Service.RefreshDueAsync());
        Assert.Equal("rt-0", JsonNode.Parse(Assert.Single(_fake.Requests).Body)!["refresh_token"]!.GetValue<string>());
        Assert.Equal(0, await h.Service.RefreshDueAsync());
    }

    [Fact]
    public async Task Codex_refresh_uses_a_form_and_updates_the_account_id()
    {
        _dir.Write("codex-c@example.com.json", $$"""{"type":"codex","email":"c@example.com","access_token":"old","refresh_token":"crt-0","account_id":"acc-old","expired":"{{AccountFiles.FormatTime(_time.GetUtcNow())}}"}""");
        var idToken = Jwt("""{"email":"c@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acc-new"}}""");
        _fake.OnJson("/token", _ => (200, $$"""{"access_token":"cat-1","refresh_token":"crt-1","id_token":"{{idToken}}","expires_in":3600}"""));
        using var h = Open();

        var credential = await h.Service.GetAsync("codex-c@example.com", default);

        Assert.Equal("cat-1", credential.AccessToken);
        Assert.Equal("acc-new", Assert.IsType<CodexDetails>(credential.Details).ChatGptAccountId);
        var form = Assert.Single(_fake.Requests).Form();
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("crt-0", form["refresh_token"]);
        Assert.Equal("openid profile email", form["scope"]);
        Assert.Equal("crt-1", JsonNode.Parse(_dir.Read("codex-c@example.com.json"))!["refresh_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gemini_refresh_sends_the_client_secret_and_keeps_an_unrotated_refresh_token()
    {
        _dir.Write("gemini-g@example.com.json", $$$"""{"type":"gemini","email":"g@example.com","project_id":"p1","token":{"access_token":"old","refresh_token":"grt","token_type":"Bearer","expiry":"{{{AccountFiles.FormatTime(_time.GetUtcNow())}}}","token_uri":"https://oauth2.googleapis.com/token"}}""");
        _fake.OnJson("/token", _ => (200, """{"access_token":"ya29.new","expires_in":3599,"token_type":"Bearer"}"""));
        using var h = Open();

        var credential = await h.Service.GetAsync("gemini-g@example.com", default);

        Assert.Equal("ya29.new", credential.AccessToken);
        Assert.Equal("p1", Assert.IsType<GeminiDetails>(credential.Details).ProjectId);
        var form = Assert.Single(_fake.Requests).Form();
        Assert.Equal("test-secret", form["client_secret"]);
        Assert.Equal("grt", form["refresh_token"]);
        var token = JsonNode.Parse(_dir.Read("gemini-g@example.com.json"))!["token"]!.AsObject();
        Assert.Equal("grt", token["refresh_token"]!.GetValue<string>());
        Assert.Equal("ya29.new", token["access_token"]!.GetValue<string>());
        Assert.Equal("https://oauth2.googleapis.com/token", token["token_uri"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(_time.GetUtcNow().AddSeconds(3599)), token["expiry"]!.GetValue<string>());
    }

    [Fact]
    public async Task Copilot_token_is_exchanged_cached_and_refreshed_before_expiry()
    {
        _dir.Write("github-copilot-octo.json", """{"type":"github-copilot","username":"octo","access_token":"gho_github"}""");
        var issued = 0;
        _fake.OnJson("/copilot_internal/v2/token", _ =>
        {
            var n = Interlocked.Increment(ref issued);
            var expiresAt = _time.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds();
            return (200, $$$"""{"token":"tid=copilot-{{{n}}}","expires_at":{{{expiresAt}}},"refresh_in":1500,"endpoints":{"api":"https://api.individual.githubcopilot.com"}}""");
        });
        using var h = Open();

        var first = await h.Service.GetAsync("github-copilot-octo", default);
        var cached = await h.Service.GetAsync("github-copilot-octo", default);
        Assert.Equal("tid=copilot-1", first.AccessToken);
        Assert.Equal("tid=copilot-1", cached.AccessToken);
        Assert.Equal("https://api.individual.githubcopilot.com", first.BaseUrl);
        var request = Assert.Single(_fake.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("token gho_github", request.Headers["Authorization"]);
        Assert.Equal("GithubCopilot/1.0", request.Headers["User-Agent"]);
        Assert.True(request.Headers.ContainsKey("Editor-Version"));

        // refresh_in (25 min) passed: a new exchange; the Copilot token is never written to the file.
        _time.Advance(TimeSpan.FromMinutes(26));
        Assert.Equal("tid=copilot-2", (await h.Service.GetAsync("github-copilot-octo", default)).AccessToken);
        Assert.DoesNotContain("tid=copilot", _dir.Read("github-copilot-octo.json"), StringComparison.Ordinal);

        // A 401 with the current token forces an exchange; with a superseded one it does not.
        Assert.Equal("tid=copilot-3", (await h.Service.RefreshAsync("github-copilot-octo", "tid=copilot-2", default)).AccessToken);
        Assert.Equal("tid=copilot-3", (await h.Service.RefreshAsync("github-copilot-octo", "tid=copilot-2", default)).AccessToken);
        Assert.Equal(3, _fake.Count("/copilot_internal/v2/token"));
    }

    [Fact]
    public async Task Copilot_github_token_rejected_marks_the_account_expired()
    {
        _dir.Write("github-copilot-octo.json", """{"type":"github-copilot","username":"octo","access_token":"gho_revoked"}""");
        _fake.OnJson("/copilot_internal/v2/token", _ => (401, """{"message":"Bad credentials"}"""));
        using var h = Open();

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync("github-copilot-octo", default).AsTask());

        Assert.Equal(AccountUnavailableReason.Expired, error.Reason);
        Assert.Equal(AccountState.Expired, h.Store.Find("github-copilot-octo")!.State);
    }

    private Harness Open(CapturingLogger<CredentialService>? logger = null)
    {
        var store = new AccountStore(_dir.Auth);
        store.Load();
        var settings = new OAuthSettings("unused", _fake.Url("/token"), null, "test-client", "test-secret", 0, "/callback", "s").WithEndpoint("copilot-token-url", _fake.Url("/copilot_internal/v2/token"));
        var service = new CredentialService(store, _http, _ => settings, new CredentialOptions(), logger, _time);
        return new Harness(store, service);
    }

    private void WriteClaude(string accessToken, string refreshToken, TimeSpan expiresIn, bool disabled = false) =>
        _dir.Write(Id + ".json", TokenEndpoints.ClaudeFile(accessToken, refreshToken, _time.GetUtcNow(), expiresIn, disabled));

    private void RotatingTokenEndpoint(Task? gate = null) => TokenEndpoints.Rotating(_fake, gate);

    private static string Jwt(string payload) =>
        "eyJhbGciOiJub25lIn0." + PkceCodes.Base64UrlOf(System.Text.Encoding.UTF8.GetBytes(payload)) + ".sig";

    private static Task WaitUntil(Func<bool> condition) => TokenEndpoints.WaitUntil(condition);
}

internal sealed record Harness(AccountStore Store, CredentialService Service) : IDisposable
{
    public void Dispose()
    {
        Service.Dispose();
        Store.Dispose();
    }
}
