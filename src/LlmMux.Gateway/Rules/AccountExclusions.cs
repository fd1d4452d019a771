using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Rules;

/// <summary>
/// Which <c>accounts:</c> entries of a provider name an account: its id (<c>key-…</c> for a key, the auth file's name
/// for a login, with or without <c>.json</c>), or a login's label or e-mail. Every entry that names it adds its globs.
/// </summary>
internal static class AccountExclusions
{
    public static ModelGlobs For(ProviderOptions provider, string id, string? label = null, string? identity = null)
    {
        if (provider.Accounts.Count == 0)
        {
            return ModelGlobs.None;
        }

        var globs = provider.Accounts
            .Where(a => a.Key == id || a.Key == id + ".json" || (label is { Length: > 0 } && a.Key == label) || (identity is { Length: > 0 } && a.Key == identity))
            .SelectMany(a => a.Value.ExcludedModels)
            .ToList();
        return ModelGlobs.Of(globs);
    }
}
