using System.Text.Json;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The few top-level fields routing needs, read in one validating pass without building a DOM: the rest of the body
/// stays bytes until a translator or the upstream needs it.
/// </summary>
internal readonly record struct RequestProbe(string? Model, bool Stream)
{
    /// <exception cref="JsonException">The body is not one well-formed JSON object.</exception>
    public static RequestProbe Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        string? model = null;
        var stream = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("'model' must be a string");
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                stream = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False or JsonTokenType.Null => false,
                    _ => throw new JsonException("'stream' must be a boolean"),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("unexpected data after the JSON object");
        }

        return new RequestProbe(model, stream);
    }
}
