using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>How one wire dialect's bodies and streams are read and written; its <see cref="DialectDescriptor"/> holds
/// the rest of what the dialect is.</summary>
internal interface IDialectCodec
{
    /// <summary>The request from its bytes: reader-based dialects read them in one pass, the others parse a document
    /// (<see cref="Internal.JsonRead.DecodeRoot"/>).</summary>
    IrRequest DecodeRequest(ReadOnlyMemory<byte> body);

    void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides);

    IrResponse DecodeResponse(JsonElement root);

    void EncodeResponse(IrResponse response, Utf8JsonWriter w);

    /// <summary>A decoder whose framer holds at most <paramref name="maxEventBytes"/> of one event (see
    /// <see cref="TranslatorOptions.MaxEventBytes"/>).</summary>
    IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes);

    IStreamEncoder CreateStreamEncoder(StreamContext context);

    /// <summary>Top-level body property holding the model (null when the model travels in the URL), used to patch a
    /// same-dialect pass-through without re-encoding it.</summary>
    string? ModelPropertyName { get; }

    /// <summary>Where a response body names the model: an optional envelope property and the property inside it.</summary>
    (string? Envelope, string Property) ResponseModelPath => (null, "model");

    /// <summary>Top-level edits that apply a reasoning override to a same-dialect body without re-encoding it; null
    /// when this dialect cannot do that (the request then goes through the IR).</summary>
    IReadOnlyList<Internal.BodyEdit>? ReasoningPatch(JsonElement root, IrReasoningConfig reasoning) => null;

    /// <summary>Top-level edits that apply <see cref="RequestOverrides.SystemPrefix"/> and
    /// <see cref="RequestOverrides.CodeAssistProject"/> to a same-dialect body; null when this dialect cannot (the
    /// request then goes through the IR).</summary>
    IReadOnlyList<Internal.BodyEdit>? OverridePatch(RequestOverrides overrides) =>
        overrides.SystemPrefix is null && overrides.CodeAssistProject is null ? [] : null;
}
