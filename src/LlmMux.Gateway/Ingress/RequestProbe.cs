using System.Text.Json;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The few top-level fields routing needs, read in one validating pass without building a DOM: the rest of the body
/// stays bytes until a translator or the upstream needs it.
/// </summary>
internal readonly record struct RequestProbe(string? Model, bool? Stream, string? SessionKey = null)
{
    /// <exception cref="JsonException">The body is not one well-formed JSON object.</exception>
    public static RequestProbe Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        string? model = null, session = null;
        bool? stream = null;
        var names = new PropertyNameSet(stackalloc ulong[PropertyNameSet.InlineCapacity]);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!names.Add(PropertyNameSet.Hash(ref reader)))
            {
                // Parsers disagree on which duplicate wins: routing and the upstream must never read different values.
                throw new JsonException($"the key '{ApiErrorText(reader.GetString())}' appears twice at the top level");
            }

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
                    JsonTokenType.False => false,
                    JsonTokenType.Null => null,
                    _ => throw new JsonException("'stream' must be a boolean"),
                };
            }
            else if (reader.ValueTextEquals("prompt_cache_key"u8) || reader.ValueTextEquals("user"u8))
            {
                reader.Read();
                session ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipValue(ref reader);
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                session ??= ReadMetadataUserId(ref reader);
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

        return new RequestProbe(model, stream, session);
    }

    /// <summary>Anthropic clients (Claude Code among them) carry their session in <c>metadata.user_id</c>.</summary>
    private static string? ReadMetadataUserId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return SkipValue(ref reader);
        }

        string? userId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUserId = reader.ValueTextEquals("user_id"u8);
            reader.Read();
            if (isUserId && reader.TokenType == JsonTokenType.String)
            {
                userId = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return userId;
    }

    private static string ApiErrorText(string? name) => Errors.ApiError.Truncate(name ?? "");

    private static string? SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}
