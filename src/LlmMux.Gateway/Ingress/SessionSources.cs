using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Ingress;

/// <summary>A body field clients carry their conversation in, as <see cref="RequestProbe"/> reads it.</summary>
internal enum BodySessionField
{
    None,
    PromptCacheKey,
    Conversation,
    MetadataUserId,
    User,
}

/// <summary>The conversation ids a body carried (<see cref="RequestProbe"/>), each in its own field.</summary>
internal readonly record struct BodySessionIds(string? PromptCacheKey, string? Conversation, string? MetadataUserId, string? User)
{
    public string? Get(BodySessionField field) => field switch
    {
        BodySessionField.PromptCacheKey => PromptCacheKey,
        BodySessionField.Conversation => Conversation,
        BodySessionField.MetadataUserId => MetadataUserId,
        BodySessionField.User => User,
        _ => null,
    };
}

/// <summary>One place a conversation id is read: a request header, or a body field.</summary>
internal readonly record struct SessionSource(string? Header, BodySessionField Body);

/// <summary>
/// <c>routing.session-sources</c>: where a request's conversation id is read, in order, first non-empty wins. The id
/// keeps the conversation on one account (<see cref="LoadBalancing.ConversationAffinityPolicy"/>), so its prompt cache
/// stays warm. An empty list turns stickiness off.
/// </summary>
internal sealed class SessionSources
{
    public const string HeaderPrefix = "header:";
    public const string BodyPrefix = "body:";

    /// <summary>Longer ids are cut: they are hashed and shown in the request log, never needed whole.</summary>
    public const int MaxLength = 256;

    /// <summary>Claude Code's header first (it is the session, where <c>metadata.user_id</c> also names the user),
    /// then Codex's headers and the other clients' ones, then the body fields.</summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "header:x-claude-code-session-id",
        "header:session_id",
        "header:session-id",
        "header:x-session-affinity",
        "header:x-session-id",
        "header:x-conversation-id",
        "header:conversation_id",
        "body:prompt_cache_key",
        "body:conversation",
        "body:metadata.user_id",
        "body:user",
    ];

    private static readonly (string Name, BodySessionField Field)[] BodyFields =
    [
        ("prompt_cache_key", BodySessionField.PromptCacheKey),
        ("conversation", BodySessionField.Conversation),
        ("metadata.user_id", BodySessionField.MetadataUserId),
        ("user", BodySessionField.User),
    ];

    private readonly SessionSource[] _sources;

    public SessionSources(IEnumerable<string> sources) => _sources = sources.Select(Parse).OfType<SessionSource>().ToArray();

    /// <summary>The conversation id of this request and the source it came from (e.g. <c>header:session_id</c>), or nulls.</summary>
    public (string? Id, SessionSource Source) Find(HttpRequest request, in BodySessionIds body)
    {
        foreach (var source in _sources)
        {
            string? id = null;
            if (source.Header is { } header)
            {
                if (request.Headers.TryGetValue(header, out var value) && !string.IsNullOrEmpty(value))
                {
                    id = value.ToString();
                }
            }
            else
            {
                id = body.Get(source.Body);
            }

            if (!string.IsNullOrEmpty(id))
            {
                return (id.Length > MaxLength ? id[..MaxLength] : id, source);
            }
        }

        return (null, default);
    }

    /// <summary>What is wrong with one entry of <c>routing.session-sources</c>, or null.</summary>
    public static string? Problem(string source)
    {
        if (source.StartsWith(HeaderPrefix, StringComparison.Ordinal))
        {
            var name = source[HeaderPrefix.Length..];
            return name.Length > 0 && name.All(IsTokenChar)
                ? null
                : $"'{source}' names no valid header (letters, digits and !#$%&'*+-.^_`|~ only)";
        }

        if (source.StartsWith(BodyPrefix, StringComparison.Ordinal))
        {
            return BodyFields.Any(f => f.Name == source[BodyPrefix.Length..])
                ? null
                : $"'{source}' is not a body field llm-mux reads (body:{string.Join(", body:", BodyFields.Select(f => f.Name))})";
        }

        return $"'{source}' must start with 'header:' or 'body:'";
    }

    private static SessionSource? Parse(string source)
    {
        if (Problem(source) is not null)
        {
            return null;
        }

        return source.StartsWith(HeaderPrefix, StringComparison.Ordinal)
            ? new SessionSource(source[HeaderPrefix.Length..], BodySessionField.None)
            : new SessionSource(null, BodyFields.First(f => f.Name == source[BodyPrefix.Length..]).Field);
    }

    /// <summary>RFC 9110 token characters: what a header name may contain.</summary>
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
