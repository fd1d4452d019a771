using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama /api/chat; with <paramref name="generate"/> the /api/generate response shape (<c>response</c>
/// instead of <c>message</c>). Requests of both shapes are accepted by either.</summary>
internal sealed class OllamaCodec(bool generate) : IDialectCodec
{
    public string? ModelPropertyName => "model";

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body) => Internal.JsonRead.DecodeRoot(body, OllamaRequest.Decode);

    public IReadOnlyList<Internal.BodyEdit>? ReasoningPatch(JsonElement root, IrReasoningConfig reasoning) =>
        ReasoningMap.Budget(reasoning) is { } budget ? [new("think", w => w.WriteBooleanValue(budget != 0))] : null;

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides) => OllamaRequest.Encode(request, w);

    public IrResponse DecodeResponse(JsonElement root) => OllamaResponse.Decode(root, generate);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w) => OllamaResponse.Encode(response, w, generate);

    public IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes) => new OllamaStreamDecoder(generate, maxEventBytes);

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new OllamaStreamEncoder(context, generate);
}
