using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

internal sealed class AnthropicCodec : IDialectCodec
{
    public string? ModelPropertyName => "model";

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body) => AnthropicRequest.Decode(body);

    public IReadOnlyList<Internal.BodyEdit>? ReasoningPatch(JsonElement root, IrReasoningConfig reasoning) =>
        AnthropicRequest.ReasoningPatch(root, reasoning);

    public IReadOnlyList<Internal.BodyEdit>? OverridePatch(RequestOverrides overrides) =>
        overrides.SystemPrefix is { } prefix ? [AnthropicRequest.SystemPrefixPatch(prefix)] : [];

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides) => AnthropicRequest.Encode(request, w, overrides);

    public IrResponse DecodeResponse(JsonElement root) => AnthropicResponse.Decode(root);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w) => AnthropicResponse.Encode(response, w);

    public IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes) => new AnthropicStreamDecoder(maxEventBytes);

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new AnthropicStreamEncoder(context);
}
