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
    private readonly SemaphoreSlim _replaceGate = new(1, 1);
    private (byte[] Plaintext, string Hash)? _hashedSecret;
    private PhysicalFileProvider? _fileProvider;
    private IDisposable? _watch;
    private CancellationTokenSource _changeSource = new();
    private GatewaySnapshot _current;
    private IReadOnlyList<LlmMux.Accounts.Store.Account> _loginAccounts = [];
    private int _pendingReload;

    /// <exception cref="ConfigException">The first load failed: the gateway must not start on a broken file.</exception>
    public GatewayConfigStore(ConfigSource source, ConfigOverrides overrides, ILogger<GatewayConfigStore> logger)
        : this(source, overrides, ConfigLoader.Read(source.ReadText(), source.DisplayName), logger)
    {
    }

    /// <param name="initial">The source as the host already read it at start-up, so it is not parsed twice.</param>
    internal GatewayConfigStore(ConfigSource source, ConfigOverrides overrides, ParsedConfig initial, ILogger<GatewayConfigStore> logger)
    {
        _source = source;
        _overrides = overrides;
        _logger = logger;
        _current = Build(revision: 1, initial, persistHash: true).Snapshot;
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
                next = Build(_current.Revision + 1, _source.ReadText(), _source.DisplayName, persistHash: true).Snapshot;
            }
            catch (Exception ex)
            {
                // Anything else escaping here would vanish in the watcher's fire-and-forget continuation.
                var message = ex is ConfigException or IOException or UnauthorizedAccessException ? ex.Message : $"{_source.DisplayName}: {ex.GetType().Name}: {ex.Message}";
                LastError = message;
                Log.ConfigRejected(_logger, _source.DisplayName, message);
                ReloadFailed?.Invoke(message);
                return message;
            }

            LastError = null;
            Swap(next);
            return null;
        }
    }

    /// <summary>
    /// What a reload of <paramref name="text"/> would put in effect (flags and environment applied, the snapshot built),
    /// without writing or applying anything, and the options as the text alone says them.
    /// </summary>
    /// <exception cref="ConfigException">Every reason a reload would reject the text.</exception>
    public ConfigCheck Check(string text, string sourceName)
    {
        lock (_reloadLock)
        {
            try
            {
                var (snapshot, file) = Build(_current.Revision + 1, text, sourceName, persistHash: false);
                return new ConfigCheck(file, snapshot.Options);
            }
            catch (Exception ex) when (ex is not ConfigException)
            {
                throw new ConfigException($"{sourceName}: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> as the config file and applies it. When the reload rejects it, the previous file
    /// text is written back, so a refused replacement leaves the file as it was. Returns the error, or null.
    /// </summary>
    public async Task<string?> ReplaceAsync(string text, CancellationToken cancellationToken)
    {
        using var lease = await BeginReplaceAsync(cancellationToken).ConfigureAwait(false);
        return (await ReplaceAsync(lease, text).ConfigureAwait(false)).Error;
    }

    /// <summary>
    /// Takes the replace gate and reads the file. Until the lease is disposed no other replacement runs, so a caller
    /// that judges a new text against <see cref="ReplaceLease.FileText"/> (markers, permissions) and then replaces it
    /// judges against the file it replaces.
    /// </summary>
    public async Task<ReplaceLease> BeginReplaceAsync(CancellationToken cancellationToken)
    {
        _ = _source.FilePath ?? throw new InvalidOperationException("the config has no file to replace");
        await _replaceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new ReplaceLease(this, _source.ReadText());
        }
        catch
        {
            _replaceGate.Release();
            throw;
        }
    }

    /// <summary>
    /// <see cref="ReplaceAsync(string, CancellationToken)"/> under a lease already held. An editor cannot take the
    /// gate, so the file is read once more first: when it is no longer the text the lease read, nothing is written
    /// (<see cref="ReplaceResult.FileChanged"/>) and the caller's judgement, made on the old text, is void. The window
    /// left is that read to the rename, microseconds instead of the whole check.
    /// </summary>
    public async Task<ReplaceResult> ReplaceAsync(ReplaceLease lease, string text)
    {
        if (!lease.IsHeldOn(this))
        {
            throw new InvalidOperationException("the replace lease is not held on this store");
        }

        var path = _source.FilePath!;
        var previous = _source.ReadText();
        if (!string.Equals(previous, lease.FileText, StringComparison.Ordinal))
        {
            return new ReplaceResult($"{_source.DisplayName}: the file changed on disk while the new text was checked; nothing was written", FileChanged: true);
        }

        await LlmMux.Accounts.Store.AtomicFile.WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(text), CancellationToken.None).ConfigureAwait(false);
        var error = Reload();
        if (error is not null)
        {
            await LlmMux.Accounts.Store.AtomicFile.WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(previous), CancellationToken.None).ConfigureAwait(false);
            Reload();
        }

        return new ReplaceResult(error);
    }

    internal void ReleaseReplaceGate() => _replaceGate.Release();

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
        _replaceGate.Dispose();
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

    private (GatewaySnapshot Snapshot, LlmMuxOptions FileOptions) Build(int revision, string text, string sourceName, bool persistHash)
        => Build(revision, ConfigLoader.Read(text, sourceName), persistHash);

    private (GatewaySnapshot Snapshot, LlmMuxOptions FileOptions) Build(int revision, ParsedConfig parsed, bool persistHash)
    {
        var options = parsed.Options;
        if (options.Management.SecretKey is { Length: > 0 } secret && !Management.ManagementSecret.IsHashed(secret))
        {
            options = options with { Management = options.Management with { SecretKey = HashOf(secret) } };
            if (persistHash)
            {
                HashSecretInFile(parsed, options.Management.SecretKey);
            }
        }

        var overridden = _overrides.ApplyTo(options);
        // The file was validated as read; only a flag or variable that changed something can break it again.
        if (!overridden.Equals(options) && ConfigValidator.Validate(overridden) is { Count: > 0 } errors)
        {
            throw new ConfigException(errors.Select(e => $"{e.Path} (from flags or environment): {e.Message}").ToList());
        }

        return (new GatewaySnapshot(overridden, revision, _loginAccounts), options);
    }

    /// <summary>
    /// The same plaintext keeps the same hash across reloads (a file that cannot be rewritten, or a check of PUT text),
    /// so the derivation is paid once and the verified-secret cache stays valid.
    /// </summary>
    private string HashOf(string secret)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));
        if (_hashedSecret is { } known && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(known.Plaintext, digest))
        {
            return known.Hash;
        }

        var hash = Management.ManagementSecret.Hash(secret);
        _hashedSecret = (digest, hash);
        return hash;
    }

    /// <summary>
    /// A plaintext management secret is replaced in the file by its salted hash the first time it is loaded, so the
    /// secret does not stay readable on disk. The value is found by its YAML node, so flow mappings and quoted or
    /// escaped values are covered too; only that value changes, comments and layout stay.
    /// </summary>
    private void HashSecretInFile(ParsedConfig parsed, string hashed)
    {
        if (_source.FilePath is not { } path
            || parsed.Root is not YamlDotNet.RepresentationModel.YamlMappingNode root
            || !root.Children.TryGetValue("management", out var management)
            || management is not YamlDotNet.RepresentationModel.YamlMappingNode section
            || !section.Children.TryGetValue("secret-key", out var value)
            || value is not YamlDotNet.RepresentationModel.YamlScalarNode scalar)
        {
            return;
        }

        var rewritten = YamlText.Replace(parsed.Text, [(scalar, hashed)]);
        LlmMux.Accounts.Store.AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(rewritten)); // 0600: the file holds keys
        Log.SecretHashed(_logger, _source.DisplayName);
    }

    private void Announce(GatewaySnapshot snapshot)
    {
        Log.ConfigLoaded(_logger, _source.DisplayName, snapshot.Revision, snapshot.Providers.Count);
    }
}

/// <param name="FileOptions">The options as the text says them, before flags and environment (its secret hashed).</param>
/// <param name="Options">The options a reload of the text would put in effect.</param>
public sealed record ConfigCheck(LlmMuxOptions FileOptions, LlmMuxOptions Options);

/// <summary>The replace gate of a <see cref="GatewayConfigStore"/>, held until disposed (once).</summary>
public sealed class ReplaceLease : IDisposable
{
    private GatewayConfigStore? _store;

    internal ReplaceLease(GatewayConfigStore store, string fileText)
    {
        _store = store;
        FileText = fileText;
    }

    /// <summary>The config file's text when the gate was taken.</summary>
    public string FileText { get; }

    internal bool IsHeldOn(GatewayConfigStore store) => ReferenceEquals(Volatile.Read(ref _store), store);

    public void Dispose() => Interlocked.Exchange(ref _store, null)?.ReleaseReplaceGate();
}

/// <param name="Error">Why nothing new is in effect, or null when the text was written and applied.</param>
/// <param name="FileChanged">The file on disk was not the one the lease read; nothing was written.</param>
public sealed record ReplaceResult(string? Error, bool FileChanged = false);
