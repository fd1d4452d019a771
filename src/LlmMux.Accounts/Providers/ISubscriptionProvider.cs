using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Providers;

/// <summary>
/// One kind of subscription account (Claude, Codex, Gemini, Copilot): what the rest of llm-mux may know about it. The
/// flows behind it (login, refresh, reading its account file) are the internal <see cref="SubscriptionProvider"/>
/// contract; <see cref="SubscriptionProviders"/> lists every provider once.
/// </summary>
public interface ISubscriptionProvider
{
    /// <summary>The canonical type: the <c>llm-mux login</c> argument and <see cref="Store.Account.Type"/>.</summary>
    string Type { get; }

    /// <summary>The <c>type</c> value and file-name prefix written into new account files.</summary>
    string FileType { get; }

    /// <summary>Other spellings a file's <c>type</c> (or the management API) may use for this provider.</summary>
    IReadOnlyList<string> Aliases { get; }

    /// <summary>How the login names the service to the user ("Sign in to … with this URL").</summary>
    string DisplayName { get; }

    /// <summary>The real OAuth endpoints and client; the config's <c>oauth:</c> block is laid over them.</summary>
    OAuthSettings DefaultOAuth { get; }
}
