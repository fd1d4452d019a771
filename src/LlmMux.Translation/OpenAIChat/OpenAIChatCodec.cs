using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

internal sealed class OpenAIChatCodec : IDialectCodec
{
    public string? ModelPropertyName => "model";

    public IrRequest DecodeRequest(JsonElement root) => OpenAIChatRequest.Decode(root);

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides) => OpenAIChatRequest.Encode(request, w);

    public IrResponse DecodeResponse(JsonElement root) => OpenAIChatResponse.Decode(root);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w) => OpenAIChatResponse.Encode(response, w);

    public IStreamDecoder CreateStreamDecoder(StreamContext context) => new OpenAIChatStreamDecoder();

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new OpenAIChatStreamEncoder(context);
}
