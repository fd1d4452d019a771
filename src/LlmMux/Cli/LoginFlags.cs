namespace LlmMux.Cli;

/// <summary>
/// The arguments of <c>llm-mux login</c>: <see cref="Provider"/> is already one of
/// <see cref="LlmMux.Accounts.Providers.SubscriptionProviders.Default.Types"/> (the parser checks and lower-cases it).
/// </summary>
internal sealed record LoginFlags(string Provider, bool NoBrowser = false, string? Name = null, string? Project = null, string? Config = null, string? KeyFile = null);
