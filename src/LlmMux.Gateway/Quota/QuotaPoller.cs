using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Logins;
using LlmMux.Gateway.Providers;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Quota;

/// <summary>
/// Reads an account's quota windows lazily: when the account is used and its read is due
/// (<see cref="QuotaStateStore.TryClaimRead"/>), in the background, never on the request's time. A read that fails or
/// finds nothing (a 404, a refused token) only pushes the next read out; it never cools or disables the account.
/// </summary>
public sealed partial class QuotaPoller(QuotaStateStore store, IHttpClientFactory http, ICredentialProvider credentials, GatewayConfigStore config, ILogger<QuotaPoller> logger)
    : IDisposable, IAsyncDisposable
{
    /// <summary>The named HttpClient reads go through.</summary>
    public const string ClientName = "llm-mux-quota";

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    // Reads in flight, so shutting down waits for them instead of leaving one to write quota.json after the host is gone.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _reads = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The key an account's windows are kept under: its login (shared by every provider it serves), else its destination id.</summary>
    public static string KeyFor(UpstreamAccount account) => account.LoginAccountId ?? account.DestinationId;

    /// <summary>The account just served (or tried to): starts a background read when one is due. Cheap when none is.</summary>
    public void OnUsed(ProviderDefinition provider, UpstreamAccount account)
    {
        if (account.PassThrough || provider.Kind.Quota is not { } reader || _stopping.IsCancellationRequested)
        {
            return;
        }

        var key = KeyFor(account);
        if (store.TryClaimRead(key))
        {
            var read = Task.Run(() => ReadAsync(reader, provider, account, key));
            _reads[key] = read;
            _ = read.ContinueWith(_ => _reads.TryRemove(new KeyValuePair<string, Task>(key, read)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>One read of one account; reports into the store and never throws.</summary>
    internal async Task ReadAsync(QuotaReader reader, ProviderDefinition provider, UpstreamAccount account, string key)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(ReadTimeout);
            var credential = account.LoginAccountId is { } loginId
                ? await credentials.GetAsync(loginId, timeout.Token).ConfigureAwait(false)
                : new UpstreamCredential(account.ApiKey ?? "", null);
            var baseUrl = provider.Kind.BaseUrlFor(credential, provider.BaseUrl) ?? provider.BaseUrl;
            var context = new QuotaReadContext(http.CreateClient(ClientName), credential, baseUrl, store.Time.GetUtcNow())
            {
                Login = provider.Kind.Subscription is null ? null : LoginSettings.For(provider.Kind.Type, config.Current.Options),
            };
            var windows = await reader.ReadAsync(context, timeout.Token).ConfigureAwait(false);
            if (windows is { Count: > 0 })
            {
                store.Update(key, account.DestinationId, provider.Kind, windows);
            }
            else
            {
                store.Failed(key, "the provider reported no quota windows");
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: nothing is recorded, the next start reads again.
        }
#pragma warning disable CA1031 // A quota read must never take anything down; its failure is recorded and retried later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // The type only: a message could quote an upstream body.
            var reason = e is AccountUnavailableException unavailable ? $"login unavailable: {unavailable.Reason}" : $"read failed ({e.GetType().Name})";
            store.Failed(key, reason);
            LogReadFailed(logger, account.DestinationId, reason);
        }
    }

    /// <summary>Stops new reads, cancels those in flight and waits for them (bounded), so none outlives the host.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_reads.Values).WaitAsync(ReadTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }

        Task.WhenAll(_reads.Values).Wait(ReadTimeout);
        _stopping.Dispose();
    }

    [LoggerMessage(903, LogLevel.Debug, "Quota read for {Account} gave nothing: {Reason}; retried later, the account keeps serving")]
    private static partial void LogReadFailed(ILogger logger, string account, string reason);
}
