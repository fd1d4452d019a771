using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using LlmMux.Gateway.Management;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// Management logins seen from any replica: the replica that runs a login (it holds the flow: the PKCE verifier and
/// callback listener, or the device-code polling) writes the job's view — state, the URL or user code to show, the
/// account it made — sealed by <see cref="CredentialEnvelope"/> to <c>{ns}:login:{id}</c> (expiring with the job),
/// and <c>GET /v0/management/logins/{id}</c> on any other replica answers from there. The account the login writes
/// reaches every replica through <see cref="SharedAccounts"/>. Without an encryption key logins are not shared.
/// </summary>
internal sealed class SharedLogins : BackgroundService
{
    public static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(500);

    private readonly RedisLink _link;
    private readonly LoginJobs _jobs;
    private readonly TimeProvider _time;
    private readonly CredentialEnvelope? _envelope;
    private readonly ConcurrentDictionary<string, LoginView> _written = new(StringComparer.Ordinal);

    public SharedLogins(RedisLink link, LoginJobs jobs, TimeProvider time)
    {
        _link = link;
        _jobs = jobs;
        _time = time;
        _envelope = CredentialEnvelope.TryCreate(link.Options.EncryptionKey, link.Namespace);
        if (link.Enabled && _envelope is not null)
        {
            jobs.Elsewhere = FindAsync;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_link.Enabled || _envelope is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(PublishEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await PublishAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes the views of this replica's jobs that changed since they were last written.</summary>
    internal async Task PublishAsync()
    {
        if (!_link.TryGetDatabase(out var db))
        {
            return;
        }

        foreach (var job in _jobs.Local)
        {
            var view = job.View();
            if (_written.TryGetValue(view.Id, out var last) && last == view)
            {
                continue;
            }

            try
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(view, ManagementAccountsJsonContext.Default.LoginView);
                await db.StringSetAsync(_link.Key(KeyName(view.Id)), _envelope!.Seal(json, KeyName(view.Id)), LoginJobs.KeepPending).ConfigureAwait(false);
                _written[view.Id] = view;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _link.Failed("login publish", e);
                return;
            }
        }

        foreach (var id in _written.Keys)
        {
            if (_jobs.Find(id) is null)
            {
                _written.TryRemove(id, out _);
            }
        }
    }

    private async Task<LoginView?> FindAsync(string id, CancellationToken ct)
    {
        if (!_link.TryGetDatabase(out var db) || id.Length is 0 or > 64)
        {
            return null;
        }

        try
        {
            var value = (byte[]?)await db.StringGetAsync(_link.Key(KeyName(id))).WaitAsync(ct).ConfigureAwait(false);
            return value is null ? null : JsonSerializer.Deserialize(_envelope!.Open(value, KeyName(id)), ManagementAccountsJsonContext.Default.LoginView);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or CryptographicException or JsonException)
        {
            _link.Failed("login lookup", e);
            return null;
        }
    }

    private static string KeyName(string id) => "login:" + id;
}
