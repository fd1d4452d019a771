using LlmMux.Accounts.OAuth;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Logins;

/// <summary>
/// OAuth endpoints for an account type: the built-in defaults with the <c>oauth:</c> block of the first configured
/// provider of that type laid over them, so every flow and refresh can run against local fakes.
/// </summary>
public static class LoginSettings
{
    public static OAuthSettings For(string type, LlmMuxOptions options)
    {
        var defaults = OAuthSettings.Defaults(type);
        var normalized = LlmMux.Accounts.Store.AccountTypes.Normalize(type);
        var overrides = options.Providers.FirstOrDefault(p => LlmMux.Accounts.Store.AccountTypes.Normalize(p.Type) == normalized && p.Oauth is not null)?.Oauth;
        return overrides is null
            ? defaults
            : defaults.With(overrides.AuthorizeUrl, overrides.TokenUrl, overrides.DeviceCodeUrl, overrides.CopilotTokenUrl, overrides.ClientId, overrides.CallbackPort,
                overrides.ClientSecret, overrides.Scopes, overrides.UserInfoUrl, overrides.CodeAssistBaseUrl, overrides.GithubUserUrl);
    }

    /// <summary><c>~/…</c> expanded, as every path in the config may be written.</summary>
    public static string ExpandHome(string path)
        => path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
