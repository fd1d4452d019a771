using LlmMux.Accounts.Providers;

namespace LlmMux.Accounts.Store;

/// <summary>How an account can be used right now, as shown by <c>llm-mux accounts</c>.</summary>
public enum AccountState
{
    /// <summary>Usable; an access token past its expiry is refreshed on use.</summary>
    Ready,

    /// <summary>The provider rejected the refresh token (or the GitHub token); a new <c>login</c> is needed.</summary>
    Expired,

    /// <summary>Switched off by the user (<c>"disabled": true</c>).</summary>
    Disabled,

    /// <summary>The provider no longer serves this account through this type (Gemini Code Assist for individuals,
    /// retired by Google); <see cref="Account.StateReason"/> says what to do instead.</summary>
    Retired,
}

/// <summary>
/// One account file in the auth dir, without any secret. Immutable; the store publishes a new list on every change.
/// </summary>
/// <param name="Id">File name without <c>.json</c>; the YARP destination id.</param>
/// <param name="Type">The canonical type of its provider (a <c>github-copilot</c> file has type <c>copilot</c>).</param>
/// <param name="Identity">E-mail (claude, codex, gemini) or GitHub user name (copilot).</param>
/// <param name="Label">Optional <c>label</c> field.</param>
/// <param name="Disabled">The <c>disabled</c> field.</param>
/// <param name="Expiry">Access-token expiry from the file (<c>expired</c> or <c>token.expiry</c>); null for copilot.</param>
/// <param name="State">Derived from <c>disabled</c> and <c>llm_mux_state</c>.</param>
/// <param name="Details">The provider's own data of the account (a Code Assist project, a ChatGPT account id), if any.</param>
public sealed record Account(
    string Id,
    string Type,
    string Identity,
    string? Label,
    bool Disabled,
    DateTimeOffset? Expiry,
    AccountState State,
    ProviderDetails? Details = null)
{
    /// <summary>The file name in the auth dir.</summary>
    public string FileName => Id + ".json";

    /// <summary>Why the account is <see cref="AccountState.Retired"/> (what the provider said, and what to do); null otherwise.</summary>
    public string? StateReason { get; init; }
}

/// <summary>A file of the auth dir that is not served, with the reason. Never carries the file's content.</summary>
public sealed record SkippedFile(string FileName, string Reason);

/// <summary>Raised by <see cref="AccountStore.Changed"/> with the complete new list.</summary>
public sealed class AccountsChangedEventArgs(IReadOnlyList<Account> accounts) : EventArgs
{
    public IReadOnlyList<Account> Accounts { get; } = accounts;
}
