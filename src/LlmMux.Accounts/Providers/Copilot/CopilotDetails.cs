namespace LlmMux.Accounts.Providers.Copilot;

/// <summary>
/// A Copilot account's GitHub token: the Copilot API takes only the short-lived token it is exchanged for, but the
/// seat's quota snapshot (<c>copilot_internal/user</c>) is GitHub's and answers the GitHub token alone.
/// </summary>
public sealed record CopilotDetails(string GitHubToken) : ProviderDetails
{
    // The generated ToString would print the token wherever a credential is logged.
    public override string ToString() => "CopilotDetails { GitHubToken = <redacted> }";
}
