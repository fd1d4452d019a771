using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama <c>/api/chat</c>, or with <paramref name="generate"/> <c>/api/generate</c>; both also under
/// <c>/ollama/api/*</c>. Ollama streams NDJSON, and streams unless told not to.</summary>
internal sealed class OllamaDialect(bool generate) : DialectDescriptor
{
    private const string Epoch = "1970-01-01T00:00:00Z";

    public override Dialect Dialect => generate ? Dialect.OllamaGenerate : Dialect.Ollama;

    public override ApiFamily Family => ApiFamily.Ollama;

    public override IReadOnlyList<DialectRoute> Routes { get; } = generate
        ?
        [
            new("ollama-generate", "/api/generate", StreamsByDefault: true),
            new("ollama-generate-prefixed", "/ollama/api/generate", StreamsByDefault: true),
        ]
        :
        [
            new("ollama-chat", "/api/chat", StreamsByDefault: true),
            new("ollama-chat-prefixed", "/ollama/api/chat", StreamsByDefault: true),
            new("ollama-embed", "/api/embed", IngressKind.Embeddings),
            new("ollama-embed-prefixed", "/ollama/api/embed", IngressKind.Embeddings),
            new("ollama-embeddings", "/api/embeddings", IngressKind.SingleEmbedding),
            new("ollama-embeddings-prefixed", "/ollama/api/embeddings", IngressKind.SingleEmbedding),
        ];

    public override StreamFraming StreamFraming => StreamFraming.Ndjson;

    public override string StreamContentType(bool jsonArray) => "application/x-ndjson";

    internal override IDialectCodec Codec { get; } = new OllamaCodec(generate);

    internal override UsageScanner CreateUsageScanner() => new OllamaUsageScan();

    public override void WriteError(Utf8JsonWriter w, int status, string message, string? code) => WriteErrorBody(w, message);

    /// <summary><c>{"error":"…"}</c>: Ollama's errors carry only the text.</summary>
    internal static void WriteErrorBody(Utf8JsonWriter w, string message)
    {
        w.WriteStartObject();
        w.WriteString("error"u8, message);
        w.WriteEndObject();
    }

    public override void WriteModelList(Utf8JsonWriter w, IReadOnlyList<ListedModel> models)
    {
        w.WriteStartObject();
        WriteModels(w, "models"u8, models);
        w.WriteEndObject();
    }

    public override void WriteModel(Utf8JsonWriter w, ListedModel model)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, model.Id);
        w.WriteString("model"u8, model.Id);
        w.WriteString("modified_at"u8, Epoch);
        w.WriteNumber("size"u8, 0);
        w.WriteString("digest"u8, ""u8);
        WriteDetails(w);
        w.WriteEndObject();
    }

    /// <summary><c>/api/show</c>: no modelfile or weights behind a routed model, only what clients read.</summary>
    public override void WriteModelInfo(Utf8JsonWriter w, ListedModel model)
    {
        w.WriteStartObject();
        w.WriteString("modelfile"u8, ""u8);
        w.WriteString("parameters"u8, ""u8);
        w.WriteString("template"u8, "{{ .Prompt }}"u8);
        WriteDetails(w);
        w.WriteStartObject("model_info"u8);
        w.WriteEndObject();
        w.WriteStartArray("capabilities"u8);
        w.WriteStringValue("completion"u8);
        w.WriteStringValue("tools"u8);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter w)
    {
        w.WriteStartObject("details"u8);
        w.WriteString("format"u8, "remote"u8);
        w.WriteString("family"u8, "llm-mux"u8);
        w.WriteString("parameter_size"u8, ""u8);
        w.WriteString("quantization_level"u8, ""u8);
        w.WriteEndObject();
    }
}
