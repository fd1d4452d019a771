namespace LlmMux.Accounts.Providers;

/// <summary>
/// What one provider's accounts carry beyond a token (a Code Assist project, a ChatGPT account id). Each provider
/// declares its own record; the gateway's provider type of the same service reads it from the account's credential.
/// </summary>
public abstract record ProviderDetails;
