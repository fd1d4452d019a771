using System.Collections.Concurrent;

namespace LlmMux.Gateway.Management;

/// <summary>
/// Logins started through the management API, by id. Finished jobs are dropped an hour after they end, and at most
/// <see cref="MaxPending"/> run at once, so a caller cannot grow this map or pile up listeners without bound.
/// </summary>
internal sealed class LoginJobs(TimeProvider time)
{
    public const int MaxPending = 20;
    public static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    /// <summary>A login's own timeout is 10 minutes; one that is still pending long after is stuck and goes too.</summary>
    public static readonly TimeSpan KeepPending = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, LoginJob> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _startLock = new();

    /// <summary>A new pending job, or null when <see cref="MaxPending"/> are already pending.</summary>
    public LoginJob? TryStart(string type)
    {
        lock (_startLock)
        {
            Prune();
            if (_jobs.Values.Count(j => j.IsPending) >= MaxPending)
            {
                return null;
            }

            var job = new LoginJob(Guid.NewGuid().ToString("N"), type, time);
            _jobs[job.Id] = job;
            return job;
        }
    }

    public LoginJob? Find(string id)
    {
        Prune();
        return _jobs.GetValueOrDefault(id);
    }

    /// <summary>The jobs this process runs (for the cluster, which shares their views).</summary>
    public IEnumerable<LoginJob> Local => _jobs.Values;

    /// <summary>Where a job another replica runs is looked up (set by the cluster); null on one machine.</summary>
    public Func<string, CancellationToken, Task<LoginView?>>? Elsewhere { get; set; }

    /// <summary>The view of a job this process does not run, from the fleet; null when none knows it.</summary>
    public Task<LoginView?> FindElsewhereAsync(string id, CancellationToken ct) =>
        Elsewhere is { } lookup ? lookup(id, ct) : Task.FromResult<LoginView?>(null);

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, job) in _jobs)
        {
            if (job.Expired(now))
            {
                _jobs.TryRemove(id, out _);
            }
        }
    }
}

/// <summary>
/// A login in progress; its output holds the URL or device code the user needs, never a token. A browser login also
/// reads <see cref="Input"/>: the redirected URL pasted from wherever the browser ended up.
/// </summary>
internal sealed class LoginJob(string id, string type, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private string _state = "pending";
    private string? _accountId;
    private string? _error;
    private DateTimeOffset? _finished;

    public string Id { get; } = id;

    public StringWriter Output { get; } = new();

    public LlmMux.Accounts.Login.PastedInput Input { get; } = new();

    public bool IsPending
    {
        get
        {
            lock (_lock)
            {
                return _finished is null;
            }
        }
    }

    public void Succeeded(string accountId) => Finish("done", accountId, null);

    public void Failed(string error) => Finish("failed", null, error);

    public bool Expired(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _finished is { } finished ? now - finished > LoginJobs.KeepFinished : now - _started > LoginJobs.KeepPending;
        }
    }

    public LoginView View()
    {
        lock (_lock)
        {
            return new LoginView(Id, type, _state, Output.ToString(), _accountId, _error) { AcceptsPaste = _finished is null && Input.IsWaiting };
        }
    }

    private void Finish(string state, string? accountId, string? error)
    {
        lock (_lock)
        {
            (_state, _accountId, _error, _finished) = (state, accountId, error, time.GetUtcNow());
        }

        Input.Complete();
    }
}
