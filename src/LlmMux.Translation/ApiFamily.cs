namespace LlmMux.Translation;

/// <summary>The API family a dialect belongs to: dialects of one family share error and model-list shapes
/// (OpenAI Chat, Responses and legacy Completions are all OpenAI).</summary>
public enum ApiFamily
{
    OpenAI,
    Anthropic,
    Gemini,
    Ollama,
}
