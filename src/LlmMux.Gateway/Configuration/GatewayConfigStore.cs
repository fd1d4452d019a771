using LlmMux.Gateway.Logging;
using LlmMux.Gateway.Providers;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace LlmMux.Gateway.Configuration;

/// <summary>
/// Holds the current <see cref="GatewaySnapshot"/> and replaces it when the config file changes. A file that fails to
/// parse or validate is logged and ignored: the last good snapshot stays, as YARP's own config provider does.
/// </summary>
public sealed class GatewayConfigStore : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    private readonly ConfigSource _source;
    private readonly ConfigOverrides _overrides;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private PhysicalFileProvider? _fileProvider;
    private IDisposable? _watch;
    private CancellationTokenSource _changeSource = new();
    private GatewaySnapshot _current;
    private IReadOnlyList<LlmMux.Accounts.Store.Account> _loginAccounts = [];
    private int _pendingReload;

    /// <exception cref="ConfigException">The first load failed: the gateway must not start on a broken file.</exception>
    public GatewayConfigStore(ConfigSource source, ConfigOverrides overrides, ILogger<GatewayConfigStore> logger)
    {
        _source = source;
        _overrides = overrides;
        _logger = logger;
        _current = Build(revision: 1);
        Announce(_current);
    }

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public ConfigSource Source => _source;

    /// <summary>The last reload error, or null when the file on disk is the one in effect.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised after a new snapshot is in effect.</summary>
    public event Action<GatewaySnapshot>? Reloaded;

    /// <summary>Raised when a changed file was rejected (the message names key and line).</summary>
    public event Action<string>? ReloadFailed;

    /// <summary>Fires once, at the next swap; YARP then asks for the config again (see <c>YarpConfigProvider</c>).</summary>
    public IChangeToken ChangeToken => new CancellationChangeToken(Volatile.Read(ref _changeSource).Token);

    public void StartWatching()
    {
        if (_source.FilePath is not { } path || _fileProvider is not null)
        {
            return;
        }

        _fileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
        var name = Path.GetFileName(path);
        _watch = Microsoft.Extensions.Primitives.ChangeToken.OnChange(() => _fileProvider.Watch(name), ScheduleReload);
    }

    /// <summary>The auth dir's accounts changed: same config, new account list, new snapshot.</summary>
    public void UpdateLoginAccounts(IReadOnlyList<LlmMux.Accounts.Store.Account> accounts)
    {
        lock (_reloadLock)
        {
            if (_loginAccounts.SequenceEqual(accounts))
            {
                return;
            }

            _loginAccounts = accounts;
            Swap(new GatewaySnapshot(_current.Options, _current.Revision + 1, accounts));
        }
    }

    /// <summary>Reads the source again now. Returns the error text when the new file was rejected.</summary>
    public string? Reload()
    {
        lock (_reloadLock)
        {
            GatewaySnapshot next;
            try
            {
                next = Build(_current.Revision + 1);
            }
            catch (Exception ex) when (ex is ConfigException or IOException or UnauthorizedAccessException)
            {
                LastError = ex.Message;
                Log.ConfigRejected(_logger, _source.DisplayName, ex.Message);
                ReloadFailed?.Invoke(ex.Message);
                return ex.Message;
            }

            LastError = null;
            Swap(next);
            return null;
        }
    }

    private void Swap(GatewaySnapshot next)
    {
        Volatile.Write(ref _current, next);
        var old = Interlocked.Exchange(ref _changeSource, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
        Announce(next);
        Reloaded?.Invoke(next);
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _fileProvider?.Dispose();
        _changeSource.Dispose();
    }

    private void ScheduleReload()
    {
        // Editors save in several writes; coalesce a burst of change events into one reload.
        if (Interlocked.Exchange(ref _pendingReload, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(Debounce).ContinueWith(
            _ =>
            {
                Volatile.Write(ref _pendingReload, 0);
                Reload();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private GatewaySnapshot Build(int revision)
    {
        var text = _source.ReadText();
        var options = ConfigLoader.Parse(text, _source.DisplayName);
        if (options.Management.SecretKey is { Length: > 0 } secret && !Management.ManagementSecret.IsHashed(secret))
        {
            options = options with { Management = options.Management with { SecretKey = HashSecretInFile(text, secret) } };
        }

        options = _overrides.ApplyTo(options);
        var overridden = ConfigValidator.Validate(options);
        if (overridden.Count > 0)
        {
            throw new ConfigException(overridden.Select(e => $"{e.Path} (from flags or environment): {e.Message}").ToList());
        }

        return new GatewaySnapshot(options, revision, _loginAccounts);
    }

    /// <summary>
    /// A plaintext management secret is replaced in the file by its salted hash the first time it is loaded, so the
    /// secret does not stay readable on disk. Only the value changes; comments and layout stay.
    /// </summary>
    private string HashSecretInFile(string text, string secret)
    {
        var hashed = Management.ManagementSecret.Hash(secret);
        if (_source.FilePath is { } path)
        {
            var pattern = new System.Text.RegularExpressions.Regex(
                @"(^\s*secret-key:\s*)([""']?)" + System.Text.RegularExpressions.Regex.Escape(secret) + @"\2(\s*(#.*)?)$",
                System.Text.RegularExpressions.RegexOptions.Multiline, TimeSpan.FromSeconds(1));
            var rewritten = pattern.Replace(text, m => $"{m.Groups[1].Value}\"{hashed}\"{m.Groups[3].Value}", 1);
            if (!ReferenceEquals(rewritten, text) && rewritten != text)
            {
                LlmMux.Accounts.Store.AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(rewritten)); // 0600: the file holds keys
                Log.SecretHashed(_logger, _source.DisplayName);
            }
        }

        return hashed;
    }

    private void Announce(GatewaySnapshot snapshot)
    {
        Log.ConfigLoaded(_logger, _source.DisplayName, snapshot.Revision, snapshot.Providers.Count);
        foreach (var p in snapshot.Providers.Where(p => !p.Kind.Served))
        {
            Log.ProviderTypeNotServed(_logger, p.Name, p.Kind.Type);
        }
    }
}
