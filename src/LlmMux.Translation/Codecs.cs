using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>Everything one wire dialect knows. A new dialect is a folder with one of these plus a line in
/// <see cref="DialectRegistry"/>.</summary>
internal interface IDialectCodec
{
    IrRequest DecodeRequest(JsonElement root);

    /// <summary>The request straight from its bytes. Dialects with a reader-based decoder override this; the others
    /// parse a document and use <see cref="DecodeRequest(JsonElement)"/>.</summary>
    IrRequest DecodeRequest(ReadOnlyMemory<byte> body)
    {
        using var doc = Internal.JsonRead.Parse(body);
        return DecodeRequest(Internal.JsonRead.RootObject(doc));
    }

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

/// <summary>Receives IR events from a decoder.</summary>
internal interface IIrEventSink
{
    void OnEvent(IrStreamEvent e);
}

/// <summary>Upstream bytes → IR events.</summary>
internal interface IStreamDecoder : IDisposable
{
    void Feed(ReadOnlySpan<byte> chunk, IIrEventSink sink);

    /// <summary>Flushes the last frame; throws <see cref="TranslationException"/> (TruncatedStream) when the source
    /// ended before its terminator.</summary>
    void Complete(IIrEventSink sink);
}

/// <summary>IR events → client bytes.</summary>
internal interface IStreamEncoder
{
    void Write(IrStreamEvent e, IBufferWriter<byte> output);

    /// <summary>Closes whatever is open and writes the dialect's terminator (idempotent).</summary>
    void Complete(IBufferWriter<byte> output);

    /// <summary>An in-stream error in this dialect followed by the terminator when the dialect has one.</summary>
    void WriteError(IBufferWriter<byte> output, string message, string? code);
}
