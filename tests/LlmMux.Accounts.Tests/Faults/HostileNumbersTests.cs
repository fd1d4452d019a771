using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Faults;

/// <summary>Numbers in token answers come from the network: huge ones are clamped, never an overflow exception.</summary>
public sealed class HostileNumbersTests : IAsyncLifetime
{
    private FaultFixture _f = null!;

    public async Task InitializeAsync() => _f = await FaultFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Theory]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("1e300", "1e300")]
    [InlineData("253402300800", "-5")]
    [InlineData("\"99999999999999999999\"", "4.5e18")]
    public async Task Copilot_expires_at_and_refresh_in_are_clamped(string expiresAt, string refreshIn)
    {
        _f.Dir.Write("github-copilot-octo.json", """{"type":"github-copilot","username":"octo","access_token":"gho_github"}""");
        _f.Fake.OnJson("/copilot_internal/v2/token", _ => (200, $$"""{"token":"tid=copilot","expires_at":{{expiresAt}},"refresh_in":{{refreshIn}}}"""));
        using var h = _f.Open();

        var credential = await h.Service.GetAsync("github-copilot-octo", default);

        Assert.Equal("tid=copilot", credential.AccessToken);
        Assert.True(credential.ExpiresAt is null || credential.ExpiresAt <= _f.Time.GetUtcNow().AddDays(1));
        Assert.Null(h.Service.GetRefreshStatus("github-copilot-octo")!.LastFailure);
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("1e300")]
    [InlineData("\"9223372036854775807\"")]
    [InlineData("-1")]
    public async Task A_huge_expires_in_is_clamped_to_a_year_and_the_rotated_token_is_persisted(string expiresIn)
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        _f.Fake.OnJson("/token", _ => (200, $$"""{"access_token":"at-1","refresh_token":"rt-1","expires_in":{{expiresIn}}}"""));
        using var h = _f.Open();

        var credential = await h.Service.GetAsync(FaultFixture.Id, default);

        Assert.Equal("at-1", credential.AccessToken);
        Assert.True(credential.ExpiresAt is null || credential.ExpiresAt <= _f.Time.GetUtcNow().AddDays(365));
        Assert.Contains("rt-1", _f.Dir.Read(FaultFixture.Id + ".json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_flow_interval_and_lifetime_are_clamped()
    {
        _f.Fake.OnJson("/device", _ => (200, """{"device_code":"d","user_code":"U-1","verification_uri":"https://github.com/login/device","interval":1e300,"expires_in":9223372036854775807}"""));
        var settings = new OAuthSettings("unused", _f.Fake.Url("/token"), _f.Fake.Url("/device"), "c", null, 0, "/callback", "s");

        var code = await DeviceFlow.StartAsync(_f.Http, settings, "GitHub", default);

        Assert.Equal(TimeSpan.FromMinutes(1), code.Interval);
        Assert.Equal(TimeSpan.FromHours(1), code.ExpiresIn);
    }

    [Fact]
    public void Token_grants_never_overflow_the_clock()
    {
        var grant = new TokenGrant("a", "r", long.MaxValue, null, null, default);

        Assert.Equal(DateTimeOffset.MaxValue.AddDays(-400).AddDays(365), grant.ExpiresAt(DateTimeOffset.MaxValue.AddDays(-400)));
        Assert.Equal(AccountFiles.FormatTime(_f.Time.GetUtcNow().AddDays(365)), AccountFiles.FormatTime(grant.ExpiresAt(_f.Time.GetUtcNow())!.Value));
    }
}
