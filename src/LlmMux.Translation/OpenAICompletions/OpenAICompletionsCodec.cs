using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary>OpenAI legacy Completions (<c>POST /v1/completions</c>). The dialect has no roles, tools or reasoning, so
/// most of the IR is flattened or dropped on the way out; what is lost is listed in docs/translation.md.</summary>
internal sealed class OpenAICompletionsCodec : IDialectCodec
{
    public string? ModelPropertyName => "model";

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body) => Internal.JsonRead.DecodeRoot(body, OpenAICompletionsRequest.Decode);

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides) => OpenAICompletionsRequest.Encode(request, w);

    public IrResponse DecodeResponse(JsonElement root) => OpenAICompletionsResponse.Decode(root);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w) => OpenAICompletionsResponse.Encode(response, w);

    public IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes) => new OpenAICompletionsStreamDecoder(maxEventBytes);

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new OpenAICompletionsStreamEncoder(context);
}
