namespace LlmMux.Accounts.Store;

/// <summary>The four subscription account types and the spellings their files may carry.</summary>
public static class AccountTypes
{
    public const string Claude = "claude";
    public const string Codex = "codex";
    public const string Gemini = "gemini";
    public const string Copilot = "copilot";

    /// <summary>The <c>type</c> value (and file-name prefix) written for Copilot accounts, as the Go llm-mux does.</summary>
    public const string CopilotFileType = "github-copilot";

    public static IReadOnlyList<string> All { get; } = [Claude, Codex, Gemini, Copilot];

    /// <summary>Maps a file's <c>type</c> (or a CLI provider name) to one of <see cref="All"/>; null when unsupported.</summary>
    public static string? Normalize(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        Claude => Claude,
        Codex => Codex,
        Gemini or "gemini-cli" => Gemini,
        Copilot or CopilotFileType => Copilot,
        _ => null,
    };

    /// <summary>The <c>type</c> value and file-name prefix written for a normalized type.</summary>
    public static string FileType(string type) => Normalize(type) switch
    {
        Copilot => CopilotFileType,
        { } t => t,
        null => throw new ArgumentException($"Unsupported account type '{type}'.", nameof(type)),
    };
}
