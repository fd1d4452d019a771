namespace LlmMux.Translation;

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
