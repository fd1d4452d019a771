using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Faults;

/// <summary>L14: a token endpoint answering 307/308 must not get the refresh token re-POSTed elsewhere.</summary>
public sealed class TokenEndpointRedirectTests : IAsyncLifetime
{
    private FaultFixture _f = null!;
    private FakeServer _elsewhere = null!;

    public async Task InitializeAsync()
    {
        _f = await FaultFixture.StartAsync();
        _elsewhere = await FakeServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _elsewhere.DisposeAsync();
        await _f.DisposeAsync();
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_not_followed_and_fails_as_a_transient_refresh_failure(int status)
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        TokenEndpoints.Rotating(_elsewhere);
        _f.Fake.On("/token", (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = _elsewhere.Url("/token");
            return Task.CompletedTask;
        });
        using var h = _f.Open();

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(FaultFixture.Id, default).AsTask());

        Assert.Equal(AccountUnavailableReason.RefreshFailed, error.Reason);
        Assert.Empty(_elsewhere.Requests);
        Assert.Contains($"HTTP {status}", h.Service.GetRefreshStatus(FaultFixture.Id)!.LastFailure, StringComparison.Ordinal);
    }
}
