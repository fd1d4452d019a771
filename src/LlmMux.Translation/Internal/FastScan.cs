using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>Allocation-light Utf8JsonReader scans for the two events that make up almost all of a stream (a text /
/// argument delta). They return false for anything unusual and the decoder then takes the general JsonDocument path,
/// so the fast path never has to be complete — only right when it says yes.</summary>
internal static class FastScan
{
    /// <summary>Anthropic <c>{"type":"content_block_delta","index":N,"delta":{"type":"…_delta","text|partial_json|thinking|signature":"…"}}</c>.</summary>
    public static bool TryAnthropicDelta(ReadOnlySpan<byte> json, out int index, out AnthropicDeltaKind kind, out string? value)
    {
        index = 0;
        kind = AnthropicDeltaKind.None;
        value = null;
        bool isDelta = false;
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.String || !r.ValueTextEquals("content_block_delta"u8))
                    {
                        return false;
                    }

                    isDelta = true;
                }
                else if (r.ValueTextEquals("index"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.Number || !r.TryGetInt32(out index))
                    {
                        return false;
                    }
                }
                else if (r.ValueTextEquals("delta"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.StartObject || !ReadDelta(ref r, ref kind, ref value))
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

            // The object must be complete and alone, or the general path reports the error.
            return isDelta && kind != AnthropicDeltaKind.None && r.TokenType == JsonTokenType.EndObject && !r.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ReadDelta(ref Utf8JsonReader r, ref AnthropicDeltaKind kind, ref string? value)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                kind = r.ValueTextEquals("text_delta"u8) ? AnthropicDeltaKind.Text
                    : r.ValueTextEquals("input_json_delta"u8) ? AnthropicDeltaKind.InputJson
                    : r.ValueTextEquals("thinking_delta"u8) ? AnthropicDeltaKind.Thinking
                    : r.ValueTextEquals("signature_delta"u8) ? AnthropicDeltaKind.Signature
                    : AnthropicDeltaKind.None;
                if (kind == AnthropicDeltaKind.None)
                {
                    return false;
                }
            }
            else if (r.ValueTextEquals("text"u8) || r.ValueTextEquals("partial_json"u8) || r.ValueTextEquals("thinking"u8) || r.ValueTextEquals("signature"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                value = r.GetString();
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return r.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>An OpenAI chunk whose only news is <c>choices[0].delta.content</c> / <c>reasoning_content</c>
    /// (no tool calls, no finish_reason, no usage, no error).</summary>
    public static bool TryOpenAIContent(ReadOnlySpan<byte> json, out string? content, out string? reasoning)
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

internal enum AnthropicDeltaKind
{
    None,
    Text,
    InputJson,
    Thinking,
    Signature,
}
