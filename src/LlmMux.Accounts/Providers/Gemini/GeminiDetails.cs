namespace LlmMux.Accounts.Providers.Gemini;

/// <summary>A Gemini account's Code Assist project (the first entry when the file lists several), put into every request envelope.</summary>
public sealed record GeminiDetails(string ProjectId) : ProviderDetails;
