using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>The top-level request members OpenAI Chat and Anthropic share by name and meaning, read by either
/// reader-based decoder.</summary>
internal struct CommonRequestFields
{
    public string? Model;
    public bool? Stream;
    public int? MaxTokens;
    public int? TopK;
    public double? Temperature;
    public double? TopP;

    /// <summary>Reads the member the reader is on (its name) when it is one of these; false leaves the reader alone.</summary>
    public bool TryRead(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("model"u8))
        {
            r.Read();
            Model = JsonRead.Str(ref r, "model");
        }
        else if (r.ValueTextEquals("stream"u8))
        {
            r.Read();
            Stream = JsonRead.Bool(ref r, "stream");
        }
        else if (r.ValueTextEquals("max_tokens"u8))
        {
            r.Read();
            MaxTokens = JsonRead.Int(ref r, "max_tokens");
        }
        else if (r.ValueTextEquals("temperature"u8))
        {
            r.Read();
            Temperature = JsonRead.Double(ref r, "temperature");
        }
        else if (r.ValueTextEquals("top_p"u8))
        {
            r.Read();
            TopP = JsonRead.Double(ref r, "top_p");
        }
        else if (r.ValueTextEquals("top_k"u8))
        {
            r.Read();
            TopK = JsonRead.Int(ref r, "top_k");
        }
        else
        {
            return false;
        }

        return true;
    }
}
