using LlmMux.Translation;

namespace LlmMux.Gateway.Rules;

/// <summary>The words the rule keys accept, in one place for the reader, the validator and the docs.</summary>
public static class RuleNames
{
    public const string ActionStop = "stop";
    public const string ActionNext = "next";
    public const string ActionCooldown = "cooldown";
    public const string ScopeAccount = "account";
    public const string ScopeModel = "model";
    public const string PoolFillFirst = "fill-first";
    public const string PoolRoundRobin = "round-robin";

    public static readonly IReadOnlyList<string> Actions = [ActionStop, ActionNext, ActionCooldown];
    public static readonly IReadOnlyList<string> Thens = [ActionNext, ActionStop];
    public static readonly IReadOnlyList<string> Scopes = [ScopeAccount, ScopeModel];
    public static readonly IReadOnlyList<string> PoolStrategies = [PoolFillFirst, PoolRoundRobin];

    /// <summary>The name a payload rule's <c>inbound:</c> gives each client dialect (the Ollama routes share one).</summary>
    public static string Inbound(Dialect dialect) => dialect switch
    {
        Dialect.OpenAIChat => "openai-chat",
        Dialect.OpenAIResponses => "openai-responses",
        Dialect.OpenAICompletions => "openai-completions",
        Dialect.Anthropic => "anthropic",
        Dialect.Gemini => "gemini",
        Dialect.GeminiCodeAssist => "gemini-code-assist",
        Dialect.Ollama or Dialect.OllamaGenerate => "ollama",
        _ => dialect.ToString(),
    };

    public static readonly IReadOnlyList<string> InboundNames = [.. Enum.GetValues<Dialect>().Select(Inbound).Distinct()];
}
