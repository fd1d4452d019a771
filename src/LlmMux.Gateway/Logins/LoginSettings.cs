using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Providers;

namespace LlmMux.Gateway.Logins;

/// <summary>
/// OAuth endpoints for an account type: the provider's built-in defaults with the <c>oauth:</c> block of the first
/// configured provider of that subscription laid over them, so every flow and refresh can run against local fakes.
/// </summary>
public static class LoginSettings
{
    /// <summary>The settings of <paramref name="type"/> (a subscription type or alias); throws for an unknown type.</summary>
    public static OAuthSettings For(string type, LlmMuxOptions options)
    {
        var subscription = SubscriptionProviders.Default.Get(type);
        var overrides = options.Providers
            .FirstOrDefault(p => p.Oauth is not null && LoginsOf(p.Type) == subscription)?.Oauth;
        return overrides is null ? subscription.DefaultOAuth : subscription.DefaultOAuth.With(overrides.Entries);
    }

    /// <summary>Whether any configured provider serves the logins of <paramref name="type"/>.</summary>
    public static bool IsConfigured(string type, LlmMuxOptions options)
    {
        var subscription = SubscriptionProviders.Default.Get(type);
        return options.Providers.Any(p => LoginsOf(p.Type) == subscription);
    }

    /// <summary><c>~/…</c> expanded, as every path in the config may be written.</summary>
    public static string ExpandHome(string path)
        => path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;

    private static ISubscriptionProvider? LoginsOf(string providerType) => ProviderTypes.Find(providerType)?.Subscription;
}
