namespace LlmMux.Translation;

/// <summary>A wire dialect. Code Assist is Gemini inside the <c>{model, project, request}</c> /
/// <c>{response}</c> envelope; it shares the Gemini codec.</summary>
public enum Dialect
{
    OpenAIChat,
    OpenAIResponses,
    Anthropic,
    Gemini,
    GeminiCodeAssist,
    /// <summary>Ollama /api/chat.</summary>
    Ollama,

    /// <summary>Ollama /api/generate: same requests (prompt form accepted), responses carry <c>response</c> text.</summary>
    OllamaGenerate,

    /// <summary>OpenAI legacy Completions (<c>POST /v1/completions</c>): a single <c>prompt</c> in, <c>choices[].text</c> out.</summary>
    OpenAICompletions,
}
