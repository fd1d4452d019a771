namespace LlmMux.Translation;

/// <summary>How a dialect frames its stream events.</summary>
public enum StreamFraming
{
    /// <summary>Server-Sent Events: an event ends with a blank line.</summary>
    Sse,

    /// <summary>One JSON object per line (Ollama).</summary>
    Ndjson,
}
