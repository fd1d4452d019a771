using System.Globalization;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Logins;
using LlmMux.Gateway.Quota;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux accounts [list]</c>, <c>accounts remove|disable|enable &lt;id&gt;</c>: the auth dir's account files,
/// read and changed through <see cref="AccountStore"/> (atomic rewrites, unknown fields kept). Cooldowns live in a
/// running gateway and are not shown here (the management API has them); the quota windows a gateway last learned are,
/// from <c>quota.json</c> beside the auth dir. Never prints a token.
/// </summary>
internal static class AccountsCommand
{
    /// <param name="id">The account to change; null only for <see cref="AccountsAction.List"/> (the parser requires it otherwise).</param>
    public static async Task<int> RunAsync(
        AccountsAction action, string? id, string? config, Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var source = ConfigLocator.Locate(config, getVariable);
        var options = ConfigLocator.Load(source, getVariable);
        var dir = Path.GetFullPath(LoginSettings.ExpandHome(options.AuthDir));

        // Reading or changing accounts never creates the auth dir; `init` and `login` do.
        using var store = new AccountStore(dir);
        if (Directory.Exists(dir))
        {
            store.Load();
        }

        if (action == AccountsAction.List || id is null)
        {
            await ListAsync(store, ReadQuota(options.AuthDir), DateTimeOffset.UtcNow, output).ConfigureAwait(false);
            return 0;
        }

        var name = action.ToString().ToLowerInvariant();
        if (store.Find(id) is not { } account)
        {
            var skipped = store.SkippedFiles.FirstOrDefault(s => s.FileName == id + ".json");
            await error.WriteLineAsync(skipped is null
                ? $"llm-mux accounts {name}: no account '{id}' in {dir}; `llm-mux accounts` lists them."
                : $"llm-mux accounts {name}: {skipped.FileName} is not a usable account file ({skipped.Reason}); fix or delete it by hand.")
                .ConfigureAwait(false);
            return 1;
        }

        try
        {
            switch (action)
            {
                case AccountsAction.Remove:
                    if (!await store.RemoveAsync(id).ConfigureAwait(false))
                    {
                        await error.WriteLineAsync($"llm-mux accounts remove: no account '{id}' in {dir}.").ConfigureAwait(false);
                        return 1;
                    }

                    await output.WriteLineAsync($"Removed account '{id}' (deleted {Path.Combine(dir, account.FileName)}).").ConfigureAwait(false);
                    return 0;
                case AccountsAction.Disable:
                    await store.SetDisabledAsync(id, true).ConfigureAwait(false);
                    await output.WriteLineAsync($"Disabled account '{id}'. A running `llm-mux serve` stops using it without a restart.").ConfigureAwait(false);
                    return 0;
                default:
                    var enabled = await store.SetDisabledAsync(id, false).ConfigureAwait(false);
                    await output.WriteLineAsync(enabled.State == AccountState.Expired
                        ? $"Enabled account '{id}', but it is expired: run `llm-mux login {enabled.Type}` to use it again."
                        : enabled.State == AccountState.Retired
                        ? $"Enabled account '{id}', but it is retired: {enabled.StateReason}"
                        : $"Enabled account '{id}'. A running `llm-mux serve` uses it again without a restart.").ConfigureAwait(false);
                    return 0;
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Changed or removed by someone else meanwhile, or not writable; the messages name files, never content.
            await error.WriteLineAsync($"llm-mux accounts {name}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The windows a gateway last saved, by account id; none when there is no readable file.</summary>
    private static Dictionary<string, AccountQuota> ReadQuota(string authDir)
    {
        try
        {
            return LlmMux.Gateway.Quota.QuotaStateStore.ReadFile(Microsoft.Extensions.DependencyInjection.LlmMuxServiceCollectionExtensions.QuotaFilePath(authDir))
                .ToDictionary(a => a.Account, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static async Task ListAsync(AccountStore store, Dictionary<string, AccountQuota> quota, DateTimeOffset now, TextWriter output)
    {
        if (store.Accounts.Count == 0)
        {
            await output.WriteLineAsync($"No accounts in {store.Directory}. Add one with `llm-mux login <{string.Join('|', store.Providers.Types)}>`.").ConfigureAwait(false);
        }
        else
        {
            string[] header = ["ID", "PROVIDER", "USER", "STATE", "EXPIRES", "QUOTA"];
            var rows = store.Accounts.Select(a => new[] { a.Id, a.Type, User(a), State(a), Expires(a.Expiry), Quota(quota.GetValueOrDefault(a.Id), now) }).ToList();
            TextTable.Write(output, header, rows);
        }

        if (store.SkippedFiles.Count > 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"Skipped files in {store.Directory} (not used, left untouched):").ConfigureAwait(false);
            foreach (var skipped in store.SkippedFiles)
            {
                await output.WriteLineAsync($"  {skipped.FileName}: {skipped.Reason}").ConfigureAwait(false);
            }
        }
    }

    private static string User(Account account) =>
        account.Label is { } label && !string.Equals(label, account.Identity, StringComparison.Ordinal)
            ? $"{account.Identity} ({label})"
            : account.Identity;

    private static string State(Account account) => account.State switch
    {
        AccountState.Disabled => "disabled",
        AccountState.Expired => "expired",
        AccountState.Retired => "retired: " + account.StateReason,
        _ => "ready",
    };

    /// <summary>Windows not yet reset, e.g. <c>five-hour 42% (2h10m), weekly 9% (5d)</c>; <c>-</c> when none is known.</summary>
    internal static string Quota(AccountQuota? quota, DateTimeOffset now)
    {
        var windows = quota?.Windows.Where(w => w.ResetsAt is not { } reset || reset > now)
            .Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Name} {Math.Round(w.UsedFraction * 100)}%")
                + (w.ResetsAt is { } reset ? $" ({Until(reset - now)})" : ""))
            .ToList();
        return windows is { Count: > 0 } ? string.Join(", ", windows) : "-";
    }

    /// <summary><c>5d</c>, <c>1d4h</c>, <c>2h10m</c>, <c>7m</c>.</summary>
    internal static string Until(TimeSpan left) => left switch
    {
        { TotalDays: >= 1 } => left.Hours > 0 ? $"{(int)left.TotalDays}d{left.Hours}h" : $"{(int)left.TotalDays}d",
        { TotalHours: >= 1 } => $"{(int)left.TotalHours}h{left.Minutes}m",
        _ => $"{Math.Max(1, (int)Math.Ceiling(left.TotalMinutes))}m",
    };

    /// <summary>Token expiry in local time, e.g. <c>2025-06-01 14:30</c>; <c>-</c> when unknown (copilot).</summary>
    internal static string Expires(DateTimeOffset? expiry) =>
        expiry is { } at ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-";
}
