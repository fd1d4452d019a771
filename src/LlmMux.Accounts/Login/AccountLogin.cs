using System.Text.Json;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Login;

/// <summary>
/// <c>llm-mux login &lt;provider&gt;</c>: runs the provider's flow, prints what the user must do, and writes the
/// account file into the store.
/// </summary>
public static class AccountLogin
{
    /// <summary>
    /// Logs in one account of <paramref name="type"/> (a type or alias of the store's providers) and writes its file.
    /// The provider runs its flow: authorization code + PKCE with a callback listener on the provider's port (or a
    /// pasted redirect URL / code), or a device flow. An unknown type throws <see cref="ArgumentException"/>. Throws <see cref="OAuthException"/> on failure
    /// (its message is safe to print) and <see cref="OperationCanceledException"/> on timeout or cancellation.
    /// </summary>
    public static async Task<Account> LoginAsync(
        string type, OAuthSettings settings, LoginOptions options, AccountStore store, HttpClient http, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(http);
        var provider = store.Providers.Require(type);
        var (file, identity) = await provider.LoginAsync(new LoginContext(settings, options, http), ct).ConfigureAwait(false);

        var name = string.IsNullOrWhiteSpace(options.Name) ? null : options.Name.Trim();
        if (name is null && string.IsNullOrWhiteSpace(identity))
        {
            throw new OAuthException("The provider did not tell which account signed in; run the login again with a name.");
        }

        var id = AccountFiles.IdFor(provider, name ?? identity);
        file = file with { Label = name ?? file.Label };
        var account = await store.UpsertAsync(id, existing => Merge(existing, file), ct).ConfigureAwait(false);
        await options.Output.WriteLineAsync($"Signed in as {account.Identity}. Saved account '{account.Id}' to {store.PathOf(account.Id)}.").ConfigureAwait(false);
        return account;
    }

    /// <summary>A new login replaces the tokens and clears an expired state; fields the user or Go added stay.</summary>
    private static AccountFile Merge(AccountFile? existing, AccountFile fresh)
    {
        if (existing is null)
        {
            return fresh;
        }

        return fresh with
        {
            Label = fresh.Label ?? existing.Label,
            Disabled = existing.Disabled,
            Extra = MergeExtra(existing.Extra, fresh.Extra),
            Token = fresh.Token is null ? null : fresh.Token with { Extra = MergeExtra(existing.Token?.Extra, fresh.Token.Extra) },
        };
    }

    private static Dictionary<string, JsonElement>? MergeExtra(Dictionary<string, JsonElement>? existing, Dictionary<string, JsonElement>? fresh)
    {
        if (existing is null)
        {
            return fresh;
        }

        var merged = new Dictionary<string, JsonElement>(existing, StringComparer.Ordinal);
        foreach (var (key, value) in fresh ?? [])
        {
            merged[key] = value;
        }

        return merged;
    }
}
