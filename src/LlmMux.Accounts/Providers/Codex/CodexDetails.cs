namespace LlmMux.Accounts.Providers.Codex;

/// <summary>A Codex account's ChatGPT account id (<c>account_id</c>), sent upstream as <c>Chatgpt-Account-Id</c>.</summary>
public sealed record CodexDetails(string ChatGptAccountId) : ProviderDetails;
