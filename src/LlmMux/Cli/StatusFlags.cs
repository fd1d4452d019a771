namespace LlmMux.Cli;

internal sealed record StatusFlags(string? Url, string? Secret, string? Config);
