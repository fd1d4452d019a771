namespace LlmMux.Gateway.Errors;

/// <summary>The error and model-list shape a caller expects (spec §4): one per API family, not per wire format.</summary>
public enum ApiDialect
{
    OpenAI,
    Anthropic,
    Gemini,
    Ollama,
}
