using System.Text.Json.Nodes;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Faults;

/// <summary>
/// M6: the provider rotated the refresh token, and writing it to the account file fails (here: the file was edited
/// into invalid JSON, which the store refuses to overwrite — the same path as a full disk or a read-only file).
/// </summary>
public sealed class RotatedTokenWriteFailureTests : IAsyncLifetime
{
    private const string Broken = """{"type":"claude", "access_token": """;
    private FaultFixture _f = null!;

    public async Task InitializeAsync() => _f = await FaultFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task The_new_token_is_served_kept_in_memory_and_written_once_the_file_can_be_written_again()
    {
        var logger = new CapturingLogger<CredentialService>();
        using var h = _f.Open(logger: logger);

        var original = await RotateWhileTheFileIsBrokenAsync(h);

        Assert.Contains("Rotated token not persisted for account " + FaultFixture.Id, logger.All, StringComparison.Ordinal);
        Assert.DoesNotContain("rt-1", logger.All, StringComparison.Ordinal);
        Assert.True(h.Service.GetRefreshStatus(FaultFixture.Id)!.RotatedTokenNotPersisted);
        Assert.Equal(Broken, _f.Dir.Read(FaultFixture.Id + ".json"));

        // Still broken: the background pass tries again and keeps the grant.
        await h.Service.RefreshDueAsync();
        Assert.True(h.Service.GetRefreshStatus(FaultFixture.Id)!.RotatedTokenNotPersisted);

        // Mended (the user restores the old content, with the now dead rt-0): the next pass writes the new grant.
        _f.Dir.Write(FaultFixture.Id + ".json", original);
        Assert.Equal(0, await h.Service.RefreshDueAsync());
        var file = JsonNode.Parse(_f.Dir.Read(FaultFixture.Id + ".json"))!;
        Assert.Equal("rt-1", file["refresh_token"]!.GetValue<string>());
        Assert.Equal("at-1", file["access_token"]!.GetValue<string>());
        Assert.Equal("kept", file["unknown_field"]!.GetValue<string>());
        Assert.False(h.Service.GetRefreshStatus(FaultFixture.Id)!.RotatedTokenNotPersisted);
        Assert.Single(_f.Fake.Requests);

        // And a new process refreshes from the file with the live token.
        _f.Time.Advance(TimeSpan.FromHours(9));
        using var restarted = _f.Open();
        Assert.Equal("at-2", (await restarted.Service.GetAsync(FaultFixture.Id, default)).AccessToken);
        Assert.Equal(["rt-0", "rt-1"], TokenEndpoints.PresentedRefreshTokens(_f.Fake));
    }

    [Fact]
    public async Task The_next_refresh_presents_the_in_memory_refresh_token_not_the_dead_one_on_disk()
    {
        using var h = _f.Open();
        var original = await RotateWhileTheFileIsBrokenAsync(h);

        // The file is mended only after the write retries; the in-memory grant still wins over rt-0 on disk.
        _f.Time.Advance(TimeSpan.FromHours(9));
        Assert.Equal("at-2", (await h.Service.GetAsync(FaultFixture.Id, default)).AccessToken);
        Assert.Equal(["rt-0", "rt-1"], TokenEndpoints.PresentedRefreshTokens(_f.Fake));
        Assert.Equal(AccountState.Ready, h.Store.Find(FaultFixture.Id)!.State);

        _f.Dir.Write(FaultFixture.Id + ".json", original);
        await h.Service.RefreshDueAsync();
        Assert.Equal("rt-2", JsonNode.Parse(_f.Dir.Read(FaultFixture.Id + ".json"))!["refresh_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_401_refresh_also_uses_the_in_memory_grant_and_writes_it_first()
    {
        using var h = _f.Open();
        var original = await RotateWhileTheFileIsBrokenAsync(h);
        _f.Dir.Write(FaultFixture.Id + ".json", original);

        Assert.Equal("at-2", (await h.Service.RefreshAsync(FaultFixture.Id, "at-1", default)).AccessToken);

        Assert.Equal(["rt-0", "rt-1"], TokenEndpoints.PresentedRefreshTokens(_f.Fake));
        Assert.Equal("rt-2", JsonNode.Parse(_f.Dir.Read(FaultFixture.Id + ".json"))!["refresh_token"]!.GetValue<string>());
        Assert.False(h.Service.GetRefreshStatus(FaultFixture.Id)!.RotatedTokenNotPersisted);
    }

    /// <summary>
    /// Breaks the account file (its token expired, its refresh token rt-0), lets a refresh rotate to at-1/rt-1, and
    /// returns the file's content from before, for the test to mend it with.
    /// </summary>
    private async Task<string> RotateWhileTheFileIsBrokenAsync(Harness h)
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        await h.Store.RescanAsync();
        TokenEndpoints.Rotating(_f.Fake);
        var original = _f.Dir.Read(FaultFixture.Id + ".json");
        _f.Dir.Write(FaultFixture.Id + ".json", Broken);
        Assert.Equal("at-1", (await h.Service.GetAsync(FaultFixture.Id, default)).AccessToken);
        return original;
    }
}
