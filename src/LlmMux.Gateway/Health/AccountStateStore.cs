namespace LlmMux.Gateway.Health;

/// <summary>
/// Cooldowns, usage and learned limits per account (spec §7). YARP's passive health can only block a whole
/// destination and cannot extend a running block, so this store is the source of truth for timing: quota cooldowns
/// are kept per (account, model), and account-wide blocks are mirrored into YARP so its load balancer skips them.
/// State is keyed by destination id, which is stable across config reloads. In a cluster, <paramref name="fleet"/> adds
/// what the other replicas sent on each account to the counts behind learned limits.
/// </summary>
public sealed class AccountStateStore(TimeProvider time, IFleetLoad? fleet = null)
{
    /// <summary>First back-off for a 429 that said nothing about when to come back; it doubles per repeat.</summary>
    public static readonly TimeSpan QuotaBackoffStart = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan QuotaBackoffMax = TimeSpan.FromHours(1);
    private static readonly TimeSpan ServerBackoffStart = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ServerBackoffMax = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan KeyRejectedCooldown = TimeSpan.FromMinutes(30);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeProvider Time => time;

    /// <summary>
    /// Raised after this replica blocked an account or one of its models (never for <see cref="Apply"/>), so a
    /// cluster can share the block; handlers must be quick (they run on the request's path).
    /// </summary>
    public event Action<AccountBlock>? Blocked;

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

    /// <summary>
    /// True when the account has nearly made as many requests this minute as it had when it last hit a 429, counting
    /// in a cluster what every replica sent and the highest limit any of them learned.
    /// </summary>
    public bool NearLearnedLimit(string destinationId)
    {
        var others = fleet?.Others(destinationId) ?? default;
        if (!_entries.TryGetValue(destinationId, out var entry))
        {
            return others.LearnedPerMinute is { } learned && others.RequestsLastMinute >= Math.Max(1, learned - 1);
        }

        lock (entry)
        {
            var limit = entry.LearnedPerMinute is { } own && others.LearnedPerMinute is { } theirs ? Math.Max(own, theirs) : entry.LearnedPerMinute ?? others.LearnedPerMinute;
            return limit is { } l && entry.Usage.Sum(time.GetUtcNow(), 1).Requests + others.RequestsLastMinute >= Math.Max(1, l - 1);
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
        int strikes;
        DateTimeOffset until;
        lock (entry)
        {
            entry.Models.TryGetValue(model, out var previous);
            strikes = previous.Strikes + 1;
            until = resetAt is { } reset && reset > now ? reset : now + Backoff(QuotaBackoffStart, QuotaBackoffMax, strikes);
            SetModel(entry, model, (until, strikes), now);
            entry.LearnedPerMinute = entry.Usage.Sum(now, 1).Requests + (fleet?.Others(destinationId).RequestsLastMinute ?? 0);
            entry.LastError = detail;
        }

        Raise(new AccountBlock(destinationId, model, until, AccountCondition.CoolingDown, strikes, detail));
        return until;
    }

    /// <summary>A 403 about one model (not the credential), or an error rule's cooldown of one model: that model rests on this account for <paramref name="period"/>.</summary>
    public DateTimeOffset ModelDenied(string destinationId, string model, TimeSpan period, string detail)
    {
        var now = time.GetUtcNow();
        var entry = Get(destinationId);
        DateTimeOffset until;
        (DateTimeOffset Until, int Strikes) kept;
        lock (entry)
        {
            entry.Models.TryGetValue(model, out var previous);
            until = now + period;
            kept = (until > previous.Until ? until : previous.Until, previous.Strikes);
            SetModel(entry, model, kept, now);
            entry.LastError = detail;
        }

        Raise(new AccountBlock(destinationId, model, kept.Until, AccountCondition.CoolingDown, kept.Strikes, detail));
        return until;
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
        TimeSpan period;
        AccountBlock block;
        lock (entry)
        {
            entry.ServerStrikes++;
            period = Backoff(ServerBackoffStart, ServerBackoffMax, entry.ServerStrikes);
            entry.CooldownUntil = time.GetUtcNow() + period;
            entry.Condition = AccountCondition.CoolingDown;
            entry.LastError = detail;
            block = WholeAccount(destinationId, entry);
        }

        Raise(block);
        return period;
    }

    /// <summary>An error rule's cooldown of the whole account: it rests for <paramref name="period"/> (a longer rest running stays).</summary>
    public TimeSpan CooledDown(string destinationId, TimeSpan period, string detail)
    {
        var entry = Get(destinationId);
        AccountBlock block;
        lock (entry)
        {
            var until = time.GetUtcNow() + period;
            if (until > entry.CooldownUntil)
            {
                entry.CooldownUntil = until;
                entry.Condition = AccountCondition.CoolingDown;
            }

            entry.LastError = detail;
            block = WholeAccount(destinationId, entry);
        }

        Raise(block);
        return period;
    }

    /// <summary>The upstream refused the key (401/403): the account rests until the key is changed or the period ends.</summary>
    public TimeSpan KeyRejected(string destinationId, string detail)
        => Rest(destinationId, KeyRejectedCooldown, AccountCondition.KeyRejected, detail);

    /// <summary>
    /// The provider no longer serves the account (a retired plan): it rests for <see cref="RateLimitResets.MaxAhead"/>
    /// (the file is marked too, so it stays out after a restart), with <paramref name="reason"/> as its last error.
    /// </summary>
    public TimeSpan Retired(string destinationId, string reason)
        => Rest(destinationId, RateLimitResets.MaxAhead, AccountCondition.Retired, reason);

    private TimeSpan Rest(string destinationId, TimeSpan period, AccountCondition condition, string detail)
    {
        var entry = Get(destinationId);
        AccountBlock block;
        lock (entry)
        {
            entry.CooldownUntil = time.GetUtcNow() + period;
            entry.Condition = condition;
            entry.LastError = detail;
            block = WholeAccount(destinationId, entry);
        }

        Raise(block);
        return period;
    }

    /// <summary>
    /// A block another replica reported: merged so that nothing running is shortened (the later end wins, the higher
    /// back-off level stays). Raises no <see cref="Blocked"/>: it came from the cluster.
    /// </summary>
    public void Apply(AccountBlock block)
    {
        var now = time.GetUtcNow();
        if (block.Until <= now)
        {
            return;
        }

        var entry = Get(block.DestinationId);
        lock (entry)
        {
            if (block.Model is null)
            {
                if (block.Until > entry.CooldownUntil)
                {
                    entry.CooldownUntil = block.Until;
                    entry.Condition = block.Condition;
                    entry.LastError = block.Detail ?? entry.LastError;
                }

                entry.ServerStrikes = Math.Max(entry.ServerStrikes, block.Strikes);
            }
            else
            {
                entry.Models.TryGetValue(block.Model, out var previous);
                if (block.Until > previous.Until || block.Strikes > previous.Strikes)
                {
                    SetModel(entry, block.Model, (block.Until > previous.Until ? block.Until : previous.Until, Math.Max(block.Strikes, previous.Strikes)), now);
                    entry.LastError = block.Detail ?? entry.LastError;
                }
            }
        }
    }

    /// <summary>Every block running now (account-wide and per model), for a cluster to push after Redis returns.</summary>
    public List<AccountBlock> ActiveBlocks()
    {
        var now = time.GetUtcNow();
        var blocks = new List<AccountBlock>();
        foreach (var (id, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.CooldownUntil > now)
                {
                    blocks.Add(WholeAccount(id, entry));
                }

                foreach (var (model, (until, strikes)) in entry.Models)
                {
                    if (until > now)
                    {
                        blocks.Add(new AccountBlock(id, model, until, AccountCondition.CoolingDown, strikes, entry.LastError));
                    }
                }
            }
        }

        return blocks;
    }

    private static AccountBlock WholeAccount(string destinationId, Entry entry)
        => new(destinationId, null, entry.CooldownUntil, entry.Condition, entry.ServerStrikes, entry.LastError);

    private void Raise(AccountBlock block) => Blocked?.Invoke(block);

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

    /// <summary>This replica's own counts on the account (no in-flight count: YARP keeps that), to share with a cluster.</summary>
    public FleetAccountLoad OwnLoad(string destinationId)
    {
        if (!_entries.TryGetValue(destinationId, out var entry))
        {
            return default;
        }

        var now = time.GetUtcNow();
        lock (entry)
        {
            var day = entry.Usage.Sum(now, 24 * 60);
            return new FleetAccountLoad(0, entry.Usage.Sum(now, 1).Requests, entry.Usage.Sum(now, 60).Requests, day.Requests, day.Tokens, entry.LearnedPerMinute);
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
