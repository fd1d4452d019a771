using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation;

/// <summary>
/// Everything one wire dialect is, beyond translating bodies: its error and stream-error shapes, its stream framing
/// and content type, the model-list and token-count answers, the routes it serves and how its clients want streams
/// set up. One subclass per dialect, in the dialect's folder, registered with one line in <see cref="DialectRegistry"/>;
/// the gateway reaches every per-dialect fact through here (<see cref="Dialects"/>).
/// </summary>
public abstract class DialectDescriptor
{
    private protected DialectDescriptor()
    {
    }

    public abstract Dialect Dialect { get; }

    public abstract ApiFamily Family { get; }

    /// <summary>The public endpoints this dialect serves; empty for a dialect spoken only to upstreams.</summary>
    public virtual IReadOnlyList<DialectRoute> Routes => [];

    public virtual StreamFraming StreamFraming => StreamFraming.Sse;

    /// <summary>Content type of a stream to a client of this dialect; <paramref name="jsonArray"/> when the stream is a
    /// JSON array (<see cref="StreamsJsonArray"/>).</summary>
    public virtual string StreamContentType(bool jsonArray) => "text/event-stream";

    /// <summary>Whether a streamed answer is one JSON array rather than SSE, given the request's <c>alt</c> query value
    /// (Gemini streams an array unless asked for <c>alt=sse</c>).</summary>
    public virtual bool StreamsJsonArray(string? alt) => false;

    /// <summary>The usage chunk is sent only when the client asked for it (OpenAI's <c>stream_options.include_usage</c>:
    /// older clients choke on <c>choices: []</c>).</summary>
    public virtual bool UsageChunkOnRequest => false;

    /// <summary>The client reads input tokens before any usage arrives (Anthropic's <c>message_start</c>), so a
    /// translated stream starts with an estimate.</summary>
    public virtual bool WantsInputTokenEstimate => false;

    /// <summary>Request headers and query keys that mark a caller of this dialect on an endpoint several dialects
    /// share (<c>GET /v1/models</c>).</summary>
    public virtual IReadOnlyList<string> CallerHeaders => [];

    /// <inheritdoc cref="CallerHeaders"/>
    public virtual IReadOnlyList<string> CallerQueryKeys => [];

    /// <summary>
    /// An error body in this dialect's shape. <paramref name="code"/> is a machine-readable reason: written as is where
    /// the shape has a field for it (OpenAI's <c>code</c>), used where it is one of the dialect's own names (an
    /// Anthropic error type, a Google status), otherwise the dialect's name for <paramref name="status"/> is used.
    /// </summary>
    public abstract void WriteError(Utf8JsonWriter w, int status, string message, string? code);

    /// <summary>The error as a whole JSON body.</summary>
    public byte[] ErrorBody(int status, string message, string? code = null) =>
        JsonWrite.ToBytes(w => WriteError(w, status, message, code));

    /// <summary>The in-stream error event that ends a stream already under way, with the dialect's terminator.</summary>
    public byte[] StreamError(int status, string message, string? code = null)
    {
        var output = new ArrayBufferWriter<byte>(256);
        Codec.CreateStreamEncoder(StreamContext.Default).WriteError(output, status, message, code);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The model list (<c>GET /v1/models</c> and the like) in this dialect's shape.</summary>
    public abstract void WriteModelList(Utf8JsonWriter w, IReadOnlyList<ListedModel> models);

    /// <summary>The list's array of models, each written by <see cref="WriteModel"/>.</summary>
    protected void WriteModels(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyList<ListedModel> models)
    {
        w.WriteStartArray(name);
        foreach (var m in models)
        {
            WriteModel(w, m);
        }

        w.WriteEndArray();
    }

    /// <summary>One model of <see cref="WriteModelList"/>.</summary>
    public abstract void WriteModel(Utf8JsonWriter w, ListedModel model);

    /// <summary>What a model-info call answers (Ollama's <c>/api/show</c>); the list entry where a dialect has no other.</summary>
    public virtual void WriteModelInfo(Utf8JsonWriter w, ListedModel model) => WriteModel(w, model);

    /// <summary>The model id a client named in a model-info path (Gemini's <c>models/</c> prefix removed).</summary>
    public virtual string ModelIdFromPath(string id) => id;

    /// <summary>A token-count answer (<c>count_tokens</c>, <c>countTokens</c>).</summary>
    public virtual void WriteTokenCount(Utf8JsonWriter w, long tokens)
    {
        w.WriteStartObject();
        w.WriteNumber("input_tokens"u8, tokens);
        w.WriteEndObject();
    }

    internal abstract IDialectCodec Codec { get; }

    /// <summary>A per-answer reader of the token usage in this dialect's stream events or whole body, without decoding
    /// the rest.</summary>
    internal abstract UsageScanner CreateUsageScanner();
}
