using System.Text.Json;

namespace LlmMux.Translation.Anthropic;

/// <summary>An allocation-light Utf8JsonReader scan for the event that makes up almost all of an Anthropic stream (a
/// content delta). It returns false for anything unusual and the decoder then takes the general JsonDocument path, so
/// the fast path never has to be complete, only right when it says yes.</summary>
internal static class AnthropicFastScan
{
    /// <summary>Anthropic <c>{"type":"content_block_delta","index":N,"delta":{"type":"…_delta","text|partial_json|thinking|signature":"…"}}</c>.</summary>
    public static bool TryDelta(ReadOnlySpan<byte> json, out int index, out AnthropicDeltaKind kind, out string? value)
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
}
