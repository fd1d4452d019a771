using LlmMux.Gateway.Errors;
using LlmMux.Translation;

namespace LlmMux.Gateway.Ingress;

/// <summary>How an inbound endpoint names its model and what it asks for.</summary>
public enum IngressKind
{
    /// <summary>Model and stream flag in the JSON body (OpenAI, Anthropic, Ollama).</summary>
    Generate,

    /// <summary>Gemini: <c>models/{model}:{action}</c> in the path; the action decides streaming or token counting.</summary>
    GeminiModelAction,

    /// <summary>Anthropic <c>count_tokens</c>: model in the body, answered with a token count.</summary>
    CountTokens,

    /// <summary>Gemini Code Assist (<c>/v1internal:streamGenerateContent</c>): model in the body, streaming from the path.</summary>
    StreamingGenerate,
}

/// <summary>One public endpoint of an inbound dialect; becomes a YARP route on the ingress cluster.</summary>
/// <param name="RouteId">YARP route id.</param>
/// <param name="Path">Route path pattern.</param>
/// <param name="ErrorDialect">Error and listing shape of the callers of this route.</param>
/// <param name="Format">Wire format of bodies on this route.</param>
/// <param name="Kind">Where model and stream flag come from.</param>
/// <param name="StreamsByDefault">Ollama streams unless told <c>"stream": false</c>.</param>
public sealed record IngressRoute(string RouteId, string Path, ApiDialect ErrorDialect, Dialect Format, IngressKind Kind = IngressKind.Generate, bool StreamsByDefault = false)
{
    /// <summary>Every public LLM route; fixed by the protocols, so generated in code rather than read from YAML.</summary>
    public static IReadOnlyList<IngressRoute> All { get; } =
    [
        new("ingress:openai-chat", "/v1/chat/completions", ApiDialect.OpenAI, Dialect.OpenAIChat),
        new("ingress:openai-completions", "/v1/completions", ApiDialect.OpenAI, Dialect.OpenAICompletions),
        new("ingress:openai-responses", "/v1/responses", ApiDialect.OpenAI, Dialect.OpenAIResponses),
        new("ingress:anthropic-messages", "/v1/messages", ApiDialect.Anthropic, Dialect.Anthropic),
        new("ingress:anthropic-count-tokens", "/v1/messages/count_tokens", ApiDialect.Anthropic, Dialect.Anthropic, IngressKind.CountTokens),
        new("ingress:gemini-v1beta", "/v1beta/models/{**action}", ApiDialect.Gemini, Dialect.Gemini, IngressKind.GeminiModelAction),
        new("ingress:gemini-v1", "/v1/models/{**action}", ApiDialect.Gemini, Dialect.Gemini, IngressKind.GeminiModelAction),
        new("ingress:gemini-v1alpha", "/v1alpha/models/{**action}", ApiDialect.Gemini, Dialect.Gemini, IngressKind.GeminiModelAction),
        new("ingress:code-assist-generate", "/v1internal:generateContent", ApiDialect.Gemini, Dialect.GeminiCodeAssist),
        new("ingress:code-assist-stream", "/v1internal:streamGenerateContent", ApiDialect.Gemini, Dialect.GeminiCodeAssist, IngressKind.StreamingGenerate),
        new("ingress:code-assist-count-tokens", "/v1internal:countTokens", ApiDialect.Gemini, Dialect.GeminiCodeAssist, IngressKind.CountTokens),
        new("ingress:ollama-chat", "/api/chat", ApiDialect.Ollama, Dialect.Ollama, StreamsByDefault: true),
        new("ingress:ollama-generate", "/api/generate", ApiDialect.Ollama, Dialect.OllamaGenerate, StreamsByDefault: true),
        new("ingress:ollama-chat-prefixed", "/ollama/api/chat", ApiDialect.Ollama, Dialect.Ollama, StreamsByDefault: true),
        new("ingress:ollama-generate-prefixed", "/ollama/api/generate", ApiDialect.Ollama, Dialect.OllamaGenerate, StreamsByDefault: true),
    ];

    public static IngressRoute? Find(string routeId) => All.FirstOrDefault(r => r.RouteId == routeId);

    /// <summary>Code Assist routes let the real Gemini CLI use llm-mux; like Google's own, they answer loopback callers only.</summary>
    public bool LoopbackOnly => Format == Dialect.GeminiCodeAssist;
}
