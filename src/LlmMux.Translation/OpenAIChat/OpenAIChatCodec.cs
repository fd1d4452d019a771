using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

internal sealed class OpenAIChatCodec : IDialectCodec
{
    public string? ModelPropertyName => "model";

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body) => OpenAIChatRequest.Decode(body);

    public IReadOnlyList<Internal.BodyEdit>? ReasoningPatch(JsonElement root, IrReasoningConfig reasoning) =>
        ReasoningMap.Effort(reasoning) is { } effort ? [new(Name: "reasoning_effort", w => w.WriteStringValue(effort))] : [new("reasoning_effort", null)];

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides) => OpenAIChatRequest.Encode(request, w);

    public IrResponse DecodeResponse(JsonElement root) => OpenAIChatResponse.Decode(root);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w) => OpenAIChatResponse.Encode(response, w);

    public IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes) => new OpenAIChatStreamDecoder(maxEventBytes);

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new OpenAIChatStreamEncoder(context);
}
