namespace LlmMux.Accounts.Providers.Antigravity;

/// <summary>An Antigravity account's Google Cloud project, put into every request envelope.</summary>
public sealed record AntigravityDetails(string ProjectId) : ProviderDetails;
