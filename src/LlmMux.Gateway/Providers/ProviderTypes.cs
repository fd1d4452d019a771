using LlmMux.Gateway.Providers.Anthropic;
using LlmMux.Gateway.Providers.Antigravity;
using LlmMux.Gateway.Providers.Claude;
using LlmMux.Gateway.Providers.CodeAssist;
using LlmMux.Gateway.Providers.Codex;
using LlmMux.Gateway.Providers.Copilot;
using LlmMux.Gateway.Providers.GeminiApi;
using LlmMux.Gateway.Providers.OpenAI;
using LlmMux.Gateway.Providers.Vertex;

namespace LlmMux.Gateway.Providers;

/// <summary>Every provider type of the config, one line each. A type not listed here is a config error.</summary>
public static class ProviderTypes
{
    public static IReadOnlyList<ProviderType> All { get; } =
    [
        OpenAIProviderType.Instance,
        AnthropicProviderType.Instance,
        GeminiApiProviderType.Instance,
        ClaudeProviderType.Instance,
        CopilotProviderType.Instance,
        CodeAssistProviderType.Instance,
        CodexProviderType.Instance,
        AntigravityProviderType.Instance,
        VertexProviderType.Instance,
    ];

    private static readonly Dictionary<string, ProviderType> ByType = All.ToDictionary(t => t.Type, StringComparer.Ordinal);

    /// <summary>The type of a config's <c>type:</c> value; null when no type has that name.</summary>
    public static ProviderType? Find(string type) => ByType.GetValueOrDefault(type);

    /// <summary>The type of a config's <c>type:</c> value; throws when there is none (the validator lets none through).</summary>
    public static ProviderType Get(string type) =>
        Find(type) ?? throw new ArgumentException($"Unknown provider type '{type}' (expected one of {string.Join(", ", All.Select(t => t.Type))}).", nameof(type));
}
