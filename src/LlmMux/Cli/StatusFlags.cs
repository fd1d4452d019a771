namespace LlmMux.Cli;

/// <param name="Json">Print one JSON object (the accounts and the failed-over requests as the API gives them) instead of tables.</param>
internal sealed record StatusFlags(string? Url, string? Secret, string? Config, bool Json = false);
