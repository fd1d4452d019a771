using System.Text.Json.Nodes;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Faults;

/// <summary>
/// Two llm-mux processes on one auth dir, played by two stores and credential services (each its own watcher-less
/// view of the dir): the account file's lock makes only one of them spend the rotating refresh token.
/// </summary>
public sealed class CrossProcessRefreshTests : IAsyncLifetime
{
    private FaultFixture _f = null!;

    public async Task InitializeAsync() => _f = await FaultFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task The_second_process_waits_for_the_lock_and_uses_the_token_the_first_one_got()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        using var first = _f.Open(new CredentialOptions { LockWait = TimeSpan.FromSeconds(60) });
        using var second = _f.Open(new CredentialOptions { LockWait = TimeSpan.FromSeconds(60) });
        var (a, release) = await StartARefreshHeldAtTheEndpointAsync(first);

        var b = second.Service.GetAsync(FaultFixture.Id, default).AsTask();
        release.SetResult();

        Assert.Equal("at-1", (await a).AccessToken);
        Assert.Equal("at-1", (await b).AccessToken);
        Assert.Single(_f.Fake.Requests);
        Assert.Equal(AccountState.Ready, second.Store.Find(FaultFixture.Id)!.State);
        Assert.Equal("rt-1", JsonNode.Parse(_f.Dir.Read(FaultFixture.Id + ".json"))!["refresh_token"]!.GetValue<string>());
        Assert.True(File.Exists(_f.Dir.File(FaultFixture.Id + ".json.lock")));
        Assert.DoesNotContain(second.Store.SkippedFiles, s => s.FileName.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_process_whose_view_is_stale_uses_the_file_another_process_refreshed()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        TokenEndpoints.Rotating(_f.Fake);
        using var first = _f.Open();
        using var second = _f.Open();

        Assert.Equal("at-1", (await first.Service.GetAsync(FaultFixture.Id, default)).AccessToken);

        // The second still has rt-0 in memory (its watcher has not run); it re-reads under the lock instead of
        // presenting the dead token and marking the account expired.
        Assert.Equal("at-1", (await second.Service.GetAsync(FaultFixture.Id, default)).AccessToken);
        Assert.Single(_f.Fake.Requests);
        Assert.Equal(AccountState.Ready, second.Store.Find(FaultFixture.Id)!.State);
    }

    [Fact]
    public async Task A_lock_held_too_long_is_a_transient_failure_not_a_second_refresh()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        using var first = _f.Open(new CredentialOptions { LockWait = TimeSpan.FromSeconds(60) });
        using var second = _f.Open(new CredentialOptions { LockWait = TimeSpan.FromMilliseconds(100) });
        var (a, release) = await StartARefreshHeldAtTheEndpointAsync(first);

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => second.Service.GetAsync(FaultFixture.Id, default).AsTask());
        Assert.Equal(AccountUnavailableReason.RefreshFailed, error.Reason);
        Assert.Contains("another llm-mux process", second.Service.GetRefreshStatus(FaultFixture.Id)!.LastFailure, StringComparison.Ordinal);

        release.SetResult();
        Assert.Equal("at-1", (await a).AccessToken);
        Assert.Single(_f.Fake.Requests);
    }

    /// <summary>
    /// <paramref name="holder"/> starts the refresh of the expired account, which the rotating endpoint holds until
    /// the returned source is completed. When this returns, <paramref name="holder"/> has the file's lock.
    /// </summary>
    private async Task<(Task<UpstreamCredential> Refresh, TaskCompletionSource Release)> StartARefreshHeldAtTheEndpointAsync(Harness holder)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TokenEndpoints.Rotating(_f.Fake, release.Task);
        var refresh = holder.Service.GetAsync(FaultFixture.Id, default).AsTask();
        await TokenEndpoints.WaitUntil(() => _f.Fake.Requests.Count == 1);
        return (refresh, release);
    }
}
