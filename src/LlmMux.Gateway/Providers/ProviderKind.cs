namespace LlmMux.Gateway.Providers;

/// <summary>What the gateway knows about one provider <c>type</c> (spec §5).</summary>
/// <param name="Type">The <c>type:</c> value in the config.</param>
/// <param name="DefaultBaseUrl">Used when the provider sets no <c>base-url</c>.</param>
/// <param name="KeyBased">Accounts are the provider's <c>api-keys</c> rather than login files.</param>
/// <param name="Served">Whether this build can forward to it yet; others are accepted in config and skipped with a warning.</param>
public sealed record ProviderKind(string Type, string DefaultBaseUrl, bool KeyBased, bool Served)
{
    public static readonly ProviderKind OpenAI = new("openai", "https://api.openai.com/v1", KeyBased: true, Served: true);
    public static readonly ProviderKind Anthropic = new("anthropic", "https://api.anthropic.com", KeyBased: true, Served: true);
    public static readonly ProviderKind GeminiApi = new("gemini-api", "https://generativelanguage.googleapis.com", KeyBased: true, Served: true);
    public static readonly ProviderKind Claude = new("claude", "https://api.anthropic.com", KeyBased: false, Served: true);
    public static readonly ProviderKind Copilot = new("copilot", "https://api.githubcopilot.com", KeyBased: false, Served: true);
    public static readonly ProviderKind Gemini = new("gemini", "https://cloudcode-pa.googleapis.com", KeyBased: false, Served: true);
    public static readonly ProviderKind Codex = new("codex", "https://chatgpt.com/backend-api/codex", KeyBased: false, Served: true);

    public static IReadOnlyList<ProviderKind> All { get; } = [OpenAI, Anthropic, GeminiApi, Claude, Copilot, Gemini, Codex];

    public static ProviderKind? Find(string type) => All.FirstOrDefault(k => k.Type == type);
}
