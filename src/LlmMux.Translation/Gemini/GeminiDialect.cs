using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Gemini;

/// <summary>Gemini generateContent (<c>/v1beta/models/{model}:{action}</c>); with <paramref name="codeAssist"/> the
/// Code Assist envelope the Gemini CLI speaks (<c>/v1internal:{action}</c>, loopback callers only, as Google's own).</summary>
internal sealed class GeminiDialect(bool codeAssist) : DialectDescriptor
{
    public override Dialect Dialect => codeAssist ? Dialect.GeminiCodeAssist : Dialect.Gemini;

    public override ApiFamily Family => ApiFamily.Gemini;

    public override IReadOnlyList<DialectRoute> Routes { get; } = codeAssist
        ?
        [
            new("code-assist-generate", "/v1internal:generateContent", LoopbackOnly: true),
            new("code-assist-stream", "/v1internal:streamGenerateContent", IngressKind.StreamingGenerate, LoopbackOnly: true),
            new("code-assist-count-tokens", "/v1internal:countTokens", IngressKind.CountTokens, LoopbackOnly: true),
        ]
        :
        [
            new("gemini-v1beta", "/v1beta/models/{**action}", IngressKind.GeminiModelAction),
            new("gemini-v1", "/v1/models/{**action}", IngressKind.GeminiModelAction),
            new("gemini-v1alpha", "/v1alpha/models/{**action}", IngressKind.GeminiModelAction),
        ];

    public override string StreamContentType(bool jsonArray) => jsonArray ? "application/json" : "text/event-stream";

    /// <summary>Without <c>alt=sse</c>, streamGenerateContent answers one JSON array whose elements arrive over time.</summary>
    public override bool StreamsJsonArray(string? alt) => alt != "sse";

    public override IReadOnlyList<string> CallerHeaders { get; } = ["x-goog-api-key", "x-goog-api-client"];

    public override IReadOnlyList<string> CallerQueryKeys { get; } = ["key"];

    internal override IDialectCodec Codec { get; } = new GeminiCodec(codeAssist);

    internal override UsageScanner CreateUsageScanner() => new GeminiUsageScan(codeAssist);

    public override void WriteError(Utf8JsonWriter w, int status, string message, string? code) => WriteErrorBody(w, status, message, code);

    /// <summary><c>{"error":{"code","message","status"}}</c>; a code in Google's status form (<c>RESOURCE_EXHAUSTED</c>)
    /// is kept, anything else becomes the status for the HTTP code.</summary>
    internal static void WriteErrorBody(Utf8JsonWriter w, int status, string message, string? code)
    {
        w.WriteStartObject();
        w.WritePropertyName("error"u8);
        w.WriteStartObject();
        w.WriteNumber("code"u8, status);
        w.WriteString("message"u8, message);
        w.WriteString("status"u8, code is { Length: > 0 } c && c.All(ch => ch is (>= 'A' and <= 'Z') or '_') ? c : GoogleStatus(status));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string GoogleStatus(int status) => status switch
    {
        400 or 422 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };

    public override void WriteModelList(Utf8JsonWriter w, IReadOnlyList<ListedModel> models)
    {
        w.WriteStartObject();
        WriteModels(w, "models"u8, models);
        w.WriteEndObject();
    }

    public override void WriteModel(Utf8JsonWriter w, ListedModel model)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, "models/" + model.Id);
        w.WriteString("displayName"u8, model.Id);
        w.WriteString("description"u8, $"Served by llm-mux through provider '{model.Provider}'.");
        w.WriteStartArray("supportedGenerationMethods"u8);
        w.WriteStringValue("generateContent"u8);
        w.WriteStringValue("streamGenerateContent"u8);
        w.WriteStringValue("countTokens"u8);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public override string ModelIdFromPath(string id) => id.StartsWith("models/", StringComparison.Ordinal) ? id["models/".Length..] : id;

    public override void WriteTokenCount(Utf8JsonWriter w, long tokens)
    {
        w.WriteStartObject();
        w.WriteNumber("totalTokens"u8, tokens);
        w.WriteEndObject();
    }
}
