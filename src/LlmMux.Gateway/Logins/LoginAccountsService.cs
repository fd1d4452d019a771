using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Logins;

/// <summary>
/// Keeps the auth dir's accounts in the gateway: files added, changed or removed while serving become YARP
/// destinations (or stop being ones) through a new config snapshot, and tokens are refreshed in the background
/// ahead of their expiry.
/// </summary>
internal sealed partial class LoginAccountsService(AccountStore store, CredentialService credentials, GatewayConfigStore config, ILogger<LoginAccountsService> logger)
    : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(30);

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // RunAsync already logs and survives every failure; this keeps the service itself from ever faulting should
        // that change, because a faulted background service can take the host down with it.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await credentials.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.RefreshLoopFailed(logger, e.GetType().Name);
                try
                {
                    await Task.Delay(RestartDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnChanged(object? sender, AccountsChangedEventArgs e) => config.UpdateLoginAccounts(e.Accounts);

    private static partial class Log
    {
        [LoggerMessage(300, LogLevel.Error, "The token refresh loop failed ({Error}); restarting it in 30 s")]
        public static partial void RefreshLoopFailed(ILogger logger, string error);
    }
}
