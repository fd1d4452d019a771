using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Gemini;

/// <summary>Gemini's legacy <c>parameters</c> / <c>responseSchema</c> use the OpenAPI subset with upper-case type
/// names (OBJECT, STRING); every other dialect expects JSON Schema. Only the <c>type</c> values change: the rest of
/// the schema is copied token by token.</summary>
internal static class GeminiSchema
{
    public static string ToJsonSchema(JsonElement schema)
    {
        string raw = schema.GetRawText();
        if (!raw.Contains("\"type\"", StringComparison.Ordinal))
        {
            return raw;
        }

        var buffer = new ArrayBufferWriter<byte>(raw.Length);
        using (var w = new Utf8JsonWriter(buffer, JsonWrite.Options))
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(raw));
            bool typeValue = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        w.WriteStartObject();
                        break;
                    case JsonTokenType.EndObject:
                        w.WriteEndObject();
                        break;
                    case JsonTokenType.StartArray:
                        w.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        w.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        typeValue = reader.ValueTextEquals("type"u8);
                        w.WritePropertyName(reader.GetString()!);
                        continue;
                    case JsonTokenType.String:
                        string s = reader.GetString()!;
                        w.WriteStringValue(typeValue ? s.ToLowerInvariant() : s);
                        break;
                    default:
                        w.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                }

                typeValue = false;
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
