namespace LlmMux.Cli;

internal sealed record ConnectFlags(string Client, bool Write, string? Url, string? Key, string? Model, string? Config);
