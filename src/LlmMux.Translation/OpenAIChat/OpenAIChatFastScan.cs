using System.Text.Json;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>An allocation-light Utf8JsonReader scan for the chunk that makes up almost all of an OpenAI stream (a
/// content delta). It returns false for anything unusual and the decoder then takes the general JsonDocument path, so
/// the fast path never has to be complete, only right when it says yes.</summary>
internal static class OpenAIChatFastScan
{
    /// <summary>An OpenAI chunk whose only news is <c>choices[0].delta.content</c> / <c>reasoning_content</c>
    /// (no tool calls, no finish_reason, no usage, no error).</summary>
    public static bool TryContent(ReadOnlySpan<byte> json, out string? content, out string? reasoning)
    {
        content = null;
        reasoning = null;
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool sawChoices = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("choices"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.StartArray || !r.Read() || r.TokenType != JsonTokenType.StartObject
                        || !ReadChoice(ref r, ref content, ref reasoning)
                        || !r.Read() || r.TokenType != JsonTokenType.EndArray)
                    {
                        return false; // zero or several choices: general path
                    }

                    sawChoices = true;
                }
                else if (r.ValueTextEquals("usage"u8) || r.ValueTextEquals("error"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.Null)
                    {
                        return false;
                    }
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            return sawChoices && r.TokenType == JsonTokenType.EndObject && !r.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ReadChoice(ref Utf8JsonReader r, ref string? content, ref string? reasoning)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("index"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.Number || !r.ValueSpan.SequenceEqual("0"u8))
                {
                    return false;
                }
            }
            else if (r.ValueTextEquals("finish_reason"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.Null)
                {
                    return false;
                }
            }
            else if (r.ValueTextEquals("delta"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    bool isContent = r.ValueTextEquals("content"u8);
                    bool isReasoning = r.ValueTextEquals("reasoning_content"u8);
                    bool isRole = r.ValueTextEquals("role"u8);
                    r.Read();
                    if (isContent || isReasoning)
                    {
                        if (r.TokenType == JsonTokenType.String)
                        {
                            if (isContent)
                            {
                                content = r.GetString();
                            }
                            else
                            {
                                reasoning = r.GetString();
                            }
                        }
                        else if (r.TokenType != JsonTokenType.Null)
                        {
                            return false;
                        }
                    }
                    else if (!isRole && r.TokenType != JsonTokenType.Null)
                    {
                        return false; // tool_calls, refusal, reasoning, …: general path
                    }
                }

                if (r.TokenType != JsonTokenType.EndObject)
                {
                    return false;
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return r.TokenType == JsonTokenType.EndObject;
    }
}
