namespace LlmMux.Accounts.Providers.Copilot;

/// <summary>
/// How the Copilot editor plug-in introduces itself. GitHub checks it on the token exchange and the Copilot API on
/// every request, so the login and the gateway both take it from here.
/// </summary>
public static class CopilotIdentity
{
    public const string UserAgent = "GithubCopilot/1.0";
    public const string EditorVersion = "vscode/1.104.1";
    public const string EditorPluginVersion = "copilot/1.300.0";

    /// <summary>The editor headers beyond the token, in the order they are sent.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers { get; } =
    [
        new("User-Agent", UserAgent),
        new("Editor-Version", EditorVersion),
        new("Editor-Plugin-Version", EditorPluginVersion),
    ];
}
