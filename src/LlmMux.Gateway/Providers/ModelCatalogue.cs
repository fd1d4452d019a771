namespace LlmMux.Gateway.Providers;

/// <summary>
/// What a provider type is known to serve when its config lists no <c>models</c> (spec §6 step 4): a few current ids
/// to list, and the family prefixes it routes, so a model released after this build still reaches the right type.
/// An <c>openai</c> provider only claims OpenAI's families when it points at OpenAI itself; any other
/// OpenAI-compatible server serves whatever its config lists.
/// </summary>
public static class ModelCatalogue
{
    private static readonly Dictionary<string, (string[] Known, string[] Families)> ByType = new(StringComparer.Ordinal)
    {
        ["anthropic"] = (["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4"], ["claude-"]),
        ["gemini-api"] = (["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview"], ["gemini-"]),
        ["openai"] = (["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini"], ["gpt-", "o1", "o3", "o4", "chatgpt-"]),
        ["claude"] = (["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4"], ["claude-"]),
        ["codex"] = (["gpt-5", "gpt-5-codex", "gpt-5.1", "gpt-5.1-codex", "gpt-5.1-codex-mini"], ["gpt-5", "codex-"]),
        ["gemini"] = (["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview"], ["gemini-"]),
        // Copilot serves other vendors' models under their names; it claims only what it is known to list.
        ["copilot"] = (["gpt-4.1", "gpt-4o", "gpt-5", "gpt-5-mini", "claude-sonnet-4", "claude-sonnet-4.5", "gemini-2.5-pro"], []),
    };

    public static IReadOnlyList<string> KnownModels(ProviderDefinition provider)
        => Applies(provider) && ByType.TryGetValue(provider.Kind.Type, out var entry) ? entry.Known : [];

    public static bool Serves(ProviderDefinition provider, string model)
        => Applies(provider) && ByType.TryGetValue(provider.Kind.Type, out var entry)
            && (entry.Families.Any(f => model.StartsWith(f, StringComparison.Ordinal)) || entry.Known.Contains(model));

    private static bool Applies(ProviderDefinition provider)
        => provider.Models.Count == 0 && (provider.Kind != ProviderKind.OpenAI || provider.BaseUrl == ProviderKind.OpenAI.DefaultBaseUrl);
}
