using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

internal sealed class ResponsesCodec : IDialectCodec
{
    public string? ModelPropertyName => "model";

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body) => Internal.JsonRead.DecodeRoot(body, ResponsesRequest.Decode);

    public IReadOnlyList<Internal.BodyEdit>? ReasoningPatch(JsonElement root, IrReasoningConfig reasoning) =>
        ReasoningMap.Effort(reasoning) is not { } effort
            ? [new("reasoning", null)]
            : [new("reasoning", w =>
            {
                w.WriteStartObject();
                w.WriteString("effort"u8, effort);
                if (reasoning.IncludeThoughts is not false && effort != "none")
                {
                    w.WriteString("summary"u8, "auto"u8);
                }

                w.WriteEndObject();
            })];

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides) => ResponsesRequest.Encode(request, w);

    public IrResponse DecodeResponse(JsonElement root) => ResponsesResponse.Decode(root);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w) => ResponsesResponse.Encode(response, w);

    public IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes) => new ResponsesStreamDecoder(maxEventBytes);

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new ResponsesStreamEncoder(context);
}
