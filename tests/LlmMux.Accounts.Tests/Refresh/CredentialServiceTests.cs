using System.Text.Json.Nodes;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Refresh;

/// <summary>Refresh rules every provider shares: the lead, single flight, rotation, invalid_grant, back-off, the background pass.</summary>
public sealed class CredentialServiceTests : CredentialHarness
{
    [Fact]
    public async Task A_fresh_token_is_returned_without_refreshing()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromHours(1));
        using var h = Open();

        var credential = await h.Service.GetAsync(Id, default);

        Assert.Equal("at-0", credential.AccessToken);
        Assert.Equal(Time.GetUtcNow().AddHours(1), credential.ExpiresAt);
        Assert.Empty(Fake.Requests);
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
        var request = Assert.Single(Fake.Requests);
        var body = JsonNode.Parse(request.Body)!.AsObject();
        Assert.Equal("refresh_token", body["grant_type"]!.GetValue<string>());
        Assert.Equal("rt-0", body["refresh_token"]!.GetValue<string>());
        Assert.Equal("test-client", body["client_id"]!.GetValue<string>());

        // Already on disk when the caller got the token.
        var file = JsonNode.Parse(Dir.Read(Id + ".json"))!.AsObject();
        Assert.Equal("at-1", file["access_token"]!.GetValue<string>());
        Assert.Equal("rt-1", file["refresh_token"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(Time.GetUtcNow().AddHours(8)), file["expired"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(Time.GetUtcNow()), file["last_refresh"]!.GetValue<string>());
        Assert.Equal("kept", file["unknown_field"]!.GetValue<string>());
        Assert.Equal(Time.GetUtcNow().AddHours(8), h.Store.Find(Id)!.Expiry);
    }

    [Fact]
    public async Task Twenty_concurrent_requests_on_an_expired_account_cause_exactly_one_refresh()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(-10));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RotatingTokenEndpoint(release.Task);
        using var h = Open();

        var callers = Enumerable.Range(0, 20).Select(_ => Task.Run(() => h.Service.GetAsync(Id, default).AsTask())).ToArray();
        await WaitUntil(() => Fake.Requests.Count >= 1);
        release.SetResult();
        var credentials = await Task.WhenAll(callers);

        Assert.All(credentials, c => Assert.Equal("at-1", c.AccessToken));
        Assert.Single(Fake.Requests);
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
        await WaitUntil(() => Fake.Requests.Count == 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller);
        release.SetResult();

        await WaitUntil(() => Dir.Read(Id + ".json").Contains("rt-1", StringComparison.Ordinal));
        Assert.Equal("at-1", (await h.Service.GetAsync(Id, default)).AccessToken);
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task Rotated_refresh_tokens_are_used_nextTime_even_after_a_restart()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(-1));
        RotatingTokenEndpoint();
        using (var h = Open())
        {
            Assert.Equal("at-1", (await h.Service.GetAsync(Id, default)).AccessToken);
            Time.Advance(TimeSpan.FromHours(9));
            Assert.Equal("at-2", (await h.Service.GetAsync(Id, default)).AccessToken);
        }

        // A new process reads the rotated token from the file; the fake rejects every earlier one.
        Time.Advance(TimeSpan.FromHours(9));
        using (var h = Open())
        {
            Assert.Equal("at-3", (await h.Service.GetAsync(Id, default)).AccessToken);
            Assert.Equal(AccountState.Ready, h.Store.Find(Id)!.State);
        }

        Assert.Equal(["rt-0", "rt-1", "rt-2"], Fake.Requests.Select(r => JsonNode.Parse(r.Body)!["refresh_token"]!.GetValue<string>()));
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
        var file = JsonNode.Parse(Dir.Read(Id + ".json"))!.AsObject();
        Assert.Equal("expired", file["llm_mux_state"]!.GetValue<string>());
        Assert.Equal("rt-stolen", file["refresh_token"]!.GetValue<string>());
        Assert.Equal("kept", file["unknown_field"]!.GetValue<string>());
        Assert.Equal(AccountState.Expired, h.Store.Find(Id)!.State);
        Assert.DoesNotContain("rt-stolen", logger.All, StringComparison.Ordinal);
        Assert.Contains(Id, logger.All, StringComparison.Ordinal);

        // Later requests fail fast without calling the provider again.
        var again = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(Id, default).AsTask());
        Assert.Equal(AccountUnavailableReason.Expired, again.Reason);
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task Refresh_after_401_skips_the_refresh_when_the_rejected_token_was_already_replaced()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromHours(1));
        RotatingTokenEndpoint();
        using var h = Open();

        var unchanged = await h.Service.RefreshAsync(Id, "some-older-token", default);
        Assert.Equal("at-0", unchanged.AccessToken);
        Assert.Empty(Fake.Requests);

        var refreshed = await h.Service.RefreshAsync(Id, "at-0", default);
        Assert.Equal("at-1", refreshed.AccessToken);

        var second = await h.Service.RefreshAsync(Id, "at-0", default);
        Assert.Equal("at-1", second.AccessToken);
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task A_transient_refresh_failure_keeps_serving_a_still_valid_token()
    {
        WriteClaude("at-0", "rt-0", expiresIn: TimeSpan.FromMinutes(3));
        Fake.OnJson("/token", _ => (503, """{"error":"temporarily_unavailable"}"""));
        using var h = Open();

        Assert.Equal("at-0", (await h.Service.GetAsync(Id, default)).AccessToken);
        Assert.Equal(AccountState.Ready, h.Store.Find(Id)!.State);

        // Within the failure back-off the endpoint is left alone.
        Assert.Equal("at-0", (await h.Service.GetAsync(Id, default)).AccessToken);
        Assert.Single(Fake.Requests);

        Time.Advance(TimeSpan.FromMinutes(4));
        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(Id, default).AsTask());
        Assert.Equal(AccountUnavailableReason.RefreshFailed, error.Reason);
        Assert.False(error.IsPermanent);
        Assert.Equal(2, Fake.Requests.Count);
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
        Dir.Write("claude-later@example.com.json", $$"""{"type":"claude","email":"later@example.com","access_token":"x","refresh_token":"y","expired":"{{AccountFiles.FormatTime(Time.GetUtcNow().AddHours(2))}}"}""");
        RotatingTokenEndpoint();
        using var h = Open();

        Assert.Equal(1, await h.Service.RefreshDueAsync());
        Assert.Equal("rt-0", JsonNode.Parse(Assert.Single(Fake.Requests).Body)!["refresh_token"]!.GetValue<string>());
        Assert.Equal(0, await h.Service.RefreshDueAsync());
    }
}
