namespace LlmMux.Gateway.Health;

/// <summary>
/// Cooldowns, usage and learned limits per account (spec §7). YARP's passive health can only block a whole
/// destination and cannot extend a running block, so this store is the source of truth for timing: quota cooldowns
/// are kept per (account, model), and account-wide blocks are mirrored into YARP so its load balancer skips them.
/// State is keyed by destination id, which is stable across config reloads.
/// </summary>
public sealed class AccountStateStore(TimeProvider time)
{
    /// <summary>First back-off for a 429 that said nothing about when to come back; it doubles per repeat.</summary>
    public static readonly TimeSpan QuotaBackoffStart = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan QuotaBackoffMax = TimeSpan.FromHours(1);
    private static readonly TimeSpan ServerBackoffStart = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ServerBackoffMax = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan KeyRejectedCooldown = TimeSpan.FromMinutes(30);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeProvider Time => time;

    /// <summary>True when the account may not serve <paramref name="model"/> now; <paramref name="until"/> says how long.</summary>
    public bool IsBlocked(string destinationId, string model, out DateTimeOffset until)
    {
        until = default;
        if (!_entries.TryGetValue(destinationId, out var entry))
        {
            return false;
        }

        var now = time.GetUtcNow();
        lock (entry)
        {
            if (entry.CooldownUntil > now)
            {
                until = entry.CooldownUntil;
            }

            if (entry.Models.TryGetValue(model, out var m) && m.Until > now && m.Until > until)
            {
                until = m.Until;
            }
        }

        return until > now;
    }

    /// <summary>
    /// As <see cref="IsBlocked(string, string, out DateTimeOffset)"/> for a model whose quota cooldowns are kept under
    /// its quota group (<see cref="Providers.ProviderType.QuotaGroup"/>): blocked when either the model or its group is.
    /// </summary>
    public bool IsBlocked(string destinationId, string model, string quotaGroup, out DateTimeOffset until)
    {
        var blocked = IsBlocked(destinationId, model, out until);
        if (!string.Equals(model, quotaGroup, StringComparison.Ordinal) && IsBlocked(destinationId, quotaGroup, out var groupUntil) && groupUntil > until)
        {
            until = groupUntil;
            blocked = true;
        }

        return blocked;
    }

    /// <summary>True when the account has nearly made as many requests this minute as it had when it last hit a 429.</summary>
    public bool NearLearnedLimit(string destinationId)
    {
        if (!_entries.TryGetValue(destinationId, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            return entry.LearnedPerMinute is { } limit && entry.Usage.Sum(time.GetUtcNow(), 1).Requests >= Math.Max(1, limit - 1);
        }
    }

    public void AttemptSent(string destinationId)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.Usage.Add(time.GetUtcNow(), 1, 0);
        }
    }

    public void TokensUsed(string destinationId, long tokens)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.Usage.Add(time.GetUtcNow(), 0, tokens);
        }
    }

    public void Succeeded(string destinationId, string model)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.Models.Remove(model);
            entry.ServerStrikes = 0;
        }
    }

    /// <summary>A 429 or quota error: blocks (account, model) until <paramref name="resetAt"/>, however far away, else backs off.</summary>
    public DateTimeOffset RateLimited(string destinationId, string model, DateTimeOffset? resetAt, string detail)
    {
        var now = time.GetUtcNow();
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.Models.TryGetValue(model, out var previous);
            var strikes = previous.Strikes + 1;
            var until = resetAt is { } reset && reset > now ? reset : now + Backoff(QuotaBackoffStart, QuotaBackoffMax, strikes);
            SetModel(entry, model, (until, strikes), now);
            entry.LearnedPerMinute = entry.Usage.Sum(now, 1).Requests;
            entry.LastError = detail;
            return until;
        }
    }

    /// <summary>A 403 about one model (not the credential), or an error rule's cooldown of one model: that model rests on this account for <paramref name="period"/>.</summary>
    public DateTimeOffset ModelDenied(string destinationId, string model, TimeSpan period, string detail)
    {
        var now = time.GetUtcNow();
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.Models.TryGetValue(model, out var previous);
            var until = now + period;
            SetModel(entry, model, (until > previous.Until ? until : previous.Until, previous.Strikes), now);
            entry.LastError = detail;
            return until;
        }
    }

    /// <summary>Forgets accounts no longer configured (a removed or rotated key), so the store holds only live ones.</summary>
    public void Retain(IReadOnlySet<string> destinationIds)
    {
        foreach (var id in _entries.Keys)
        {
            if (!destinationIds.Contains(id))
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    /// <summary>
    /// Model names can come from clients (<c>provider/anything</c>), so each account keeps at most
    /// <see cref="MaxModelsPerAccount"/> model cooldowns: expired ones go first, then the one that ends soonest.
    /// </summary>
    private static void SetModel(Entry entry, string model, (DateTimeOffset Until, int Strikes) value, DateTimeOffset now)
    {
        if (!entry.Models.ContainsKey(model) && entry.Models.Count >= MaxModelsPerAccount)
        {
            foreach (var expired in entry.Models.Where(m => m.Value.Until <= now).Select(m => m.Key).ToList())
            {
                entry.Models.Remove(expired);
            }

            if (entry.Models.Count >= MaxModelsPerAccount)
            {
                entry.Models.Remove(entry.Models.MinBy(m => m.Value.Until).Key);
            }
        }

        entry.Models[model] = value;
    }

    public const int MaxModelsPerAccount = 64;

    /// <summary>5xx, 529, time-out or connect failure: a short account-wide cooldown that grows while it repeats.</summary>
    public TimeSpan ServerFailed(string destinationId, string detail)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.ServerStrikes++;
            var period = Backoff(ServerBackoffStart, ServerBackoffMax, entry.ServerStrikes);
            entry.CooldownUntil = time.GetUtcNow() + period;
            entry.Condition = AccountCondition.CoolingDown;
            entry.LastError = detail;
            return period;
        }
    }

    /// <summary>An error rule's cooldown of the whole account: it rests for <paramref name="period"/> (a longer rest running stays).</summary>
    public TimeSpan CooledDown(string destinationId, TimeSpan period, string detail)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            var until = time.GetUtcNow() + period;
            if (until > entry.CooldownUntil)
            {
                entry.CooldownUntil = until;
                entry.Condition = AccountCondition.CoolingDown;
            }

            entry.LastError = detail;
            return period;
        }
    }

    /// <summary>The upstream refused the key (401/403): the account rests until the key is changed or the period ends.</summary>
    public TimeSpan KeyRejected(string destinationId, string detail)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.CooldownUntil = time.GetUtcNow() + KeyRejectedCooldown;
            entry.Condition = AccountCondition.KeyRejected;
            entry.LastError = detail;
            return KeyRejectedCooldown;
        }
    }

    /// <summary>
    /// The provider no longer serves the account (a retired plan): it rests for <see cref="RateLimitResets.MaxAhead"/>
    /// (the file is marked too, so it stays out after a restart), with <paramref name="reason"/> as its last error.
    /// </summary>
    public TimeSpan Retired(string destinationId, string reason)
    {
        var entry = Get(destinationId);
        lock (entry)
        {
            entry.CooldownUntil = time.GetUtcNow() + RateLimitResets.MaxAhead;
            entry.Condition = AccountCondition.Retired;
            entry.LastError = reason;
            return RateLimitResets.MaxAhead;
        }
    }

    public AccountStatus Status(string destinationId)
    {
        var now = time.GetUtcNow();
        var entry = Get(destinationId);
        lock (entry)
        {
            var cooling = entry.CooldownUntil > now;
            var usageDay = entry.Usage.Sum(now, 24 * 60);
            return new AccountStatus(
                destinationId,
                cooling ? entry.Condition : AccountCondition.Ready,
                cooling ? entry.CooldownUntil : null,
                entry.Models.Where(m => m.Value.Until > now).ToDictionary(m => m.Key, m => m.Value.Until, StringComparer.Ordinal),
                entry.Usage.Sum(now, 1).Requests,
                entry.Usage.Sum(now, 60).Requests,
                usageDay.Requests,
                usageDay.Tokens,
                entry.LearnedPerMinute,
                entry.LastError);
        }
    }

    /// <summary>Accounts with an account-wide or any model cooldown running now.</summary>
    public int CoolingCount()
    {
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var entry in _entries.Values)
        {
            lock (entry)
            {
                if (entry.CooldownUntil > now || entry.Models.Values.Any(m => m.Until > now))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Every account the store has seen, by destination id.</summary>
    public IReadOnlyList<string> KnownAccounts() => _entries.Keys.Order(StringComparer.Ordinal).ToList();

    private Entry Get(string destinationId) => _entries.GetOrAdd(destinationId, static _ => new Entry());

    private static TimeSpan Backoff(TimeSpan start, TimeSpan max, int strikes)
        => TimeSpan.FromTicks(Math.Min(max.Ticks, start.Ticks << Math.Min(strikes - 1, 20)));

    private sealed class Entry
    {
        public DateTimeOffset CooldownUntil;
        public AccountCondition Condition;
        public int ServerStrikes;
        public long? LearnedPerMinute;
        public string? LastError;
        public readonly Dictionary<string, (DateTimeOffset Until, int Strikes)> Models = new(StringComparer.Ordinal);
        public readonly UsageWindow Usage = new();
    }
}
