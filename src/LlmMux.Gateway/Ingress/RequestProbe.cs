using System.Text.Json;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The few top-level fields routing needs, read in one validating pass without building a DOM: the rest of the body
/// stays bytes until a translator or the upstream needs it.
/// </summary>
/// <param name="ThinkingBudget">Anthropic's <c>thinking.budget_tokens</c> when thinking is enabled: a budget under the
/// upstream's floor is raised before it is sent (<see cref="Transforms.ThinkingBudgetFloor"/>).</param>
internal readonly record struct RequestProbe(string? Model, bool? Stream, BodySessionIds Sessions = default, int? ThinkingBudget = null)
{
    /// <exception cref="JsonException">The body is not one well-formed JSON object.</exception>
    public static RequestProbe Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        string? model = null, promptCacheKey = null, user = null, metadataUserId = null, conversation = null;
        bool? stream = null;
        int? thinkingBudget = null;
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
            else if (reader.ValueTextEquals("prompt_cache_key"u8))
            {
                reader.Read();
                promptCacheKey = StringOrSkip(ref reader);
            }
            else if (reader.ValueTextEquals("user"u8))
            {
                reader.Read();
                user = StringOrSkip(ref reader);
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                metadataUserId = ReadMember(ref reader, "user_id"u8);
            }
            else if (reader.ValueTextEquals("conversation"u8))
            {
                // Responses: the conversation's id, or an object carrying it.
                reader.Read();
                conversation = reader.TokenType == JsonTokenType.String ? reader.GetString() : ReadMember(ref reader, "id"u8);
            }
            else if (reader.ValueTextEquals("thinking"u8))
            {
                reader.Read();
                thinkingBudget = ReadThinkingBudget(ref reader);
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

        return new RequestProbe(model, stream, new BodySessionIds(promptCacheKey, conversation, metadataUserId, user), thinkingBudget);
    }

    /// <summary>A string member of an object value (Anthropic's <c>metadata.user_id</c>, where Claude Code carries its
    /// session; a Responses <c>conversation.id</c>); anything else is skipped.</summary>
    private static string? ReadMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return SkipValue(ref reader);
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isName = reader.ValueTextEquals(name);
            reader.Read();
            if (isName && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    /// <summary><c>budget_tokens</c> of <c>{"type":"enabled","budget_tokens":N}</c>, whatever the order of the two.</summary>
    private static int? ReadThinkingBudget(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int? budget = null;
        var enabled = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("budget_tokens"u8))
            {
                reader.Read();
                budget = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) ? n : null;
                reader.Skip(); // a container where a number belongs: the upstream rejects it, the probe moves past it
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                enabled = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("enabled"u8);
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return enabled ? budget : null;
    }

    private static string? StringOrSkip(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipValue(ref reader);

    private static string ApiErrorText(string? name) => Errors.ApiError.Truncate(name ?? "");

    private static string? SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}
