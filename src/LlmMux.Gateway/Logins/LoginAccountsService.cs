using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using Microsoft.Extensions.Hosting;

namespace LlmMux.Gateway.Logins;

/// <summary>
/// Keeps the auth dir's accounts in the gateway: files added, changed or removed while serving become YARP
/// destinations (or stop being ones) through a new config snapshot, and tokens are refreshed in the background
/// ahead of their expiry.
/// </summary>
internal sealed class LoginAccountsService(AccountStore store, CredentialService credentials, GatewayConfigStore config) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        store.Changed += OnChanged;
        store.StartWatching();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        store.Changed -= OnChanged;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => credentials.RunAsync(stoppingToken);

    private void OnChanged(object? sender, AccountsChangedEventArgs e) => config.UpdateLoginAccounts(e.Accounts);
}
