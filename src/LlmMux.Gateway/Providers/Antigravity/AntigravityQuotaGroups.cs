namespace LlmMux.Gateway.Providers.Antigravity;

/// <summary>
/// Antigravity meters an account per model family, not per model: every Claude model draws on one pool, Gemini Pro
/// models on another, Gemini Flash models on a third. A limit hit on one model is a limit on its whole family, so its
/// cooldown is kept under the family's name (a glob that reads as what it covers).
/// </summary>
internal static class AntigravityQuotaGroups
{
    public const string Claude = "claude-*";
    public const string GeminiPro = "gemini-*-pro*";
    public const string GeminiFlash = "gemini-*-flash*";

    public static string Of(string model)
    {
        if (model.StartsWith("claude-", StringComparison.OrdinalIgnoreCase))
        {
            return Claude;
        }

        if (model.StartsWith("gemini-", StringComparison.OrdinalIgnoreCase))
        {
            if (model.Contains("-flash", StringComparison.OrdinalIgnoreCase))
            {
                return GeminiFlash;
            }

            if (model.Contains("-pro", StringComparison.OrdinalIgnoreCase))
            {
                return GeminiPro;
            }
        }

        // Another family (gpt-oss-…): its prefix, as the Go gateway groups; a name without one is its own group.
        var end = model.IndexOfAny(['-', '_', '.']);
        return end > 0 ? model[..end] + "-*" : model;
    }

    /// <summary>Whether <paramref name="model"/> belongs to <paramref name="group"/>.</summary>
    public static bool Covers(string group, string model) => string.Equals(Of(model), group, StringComparison.Ordinal);
}
