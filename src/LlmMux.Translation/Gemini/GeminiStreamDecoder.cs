using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>streamGenerateContent?alt=sse (optionally Code Assist <c>{"response":…}</c> wrapped) → IR events.
/// Each chunk is a whole GenerateContentResponse; function calls arrive complete in one part.</summary>
internal sealed class GeminiStreamDecoder(bool envelope, int maxEventBytes) : FramedStreamDecoder(new SseFramer(maxEventBytes))
{
    private JsonArrayFramer? _array; // set when the upstream streams a JSON array instead of SSE
    private bool _modeKnown;
    private bool _started;
    private int _calls;

    protected override string MissingEnd => "stream ended before a finishReason";

    public override void Feed(ReadOnlySpan<byte> chunk, IIrEventSink sink)
    {
        if (!_modeKnown)
        {
            var trimmed = chunk.TrimStart(" \t\r\n"u8);
            if (trimmed.IsEmpty)
            {
                return; // leading whitespace carries no information
            }

            _modeKnown = true;
            if (trimmed[0] == (byte)'[')
            {
                _array = new JsonArrayFramer(maxEventBytes);
            }
        }

        if (_array is null)
        {
            base.Feed(chunk, sink);
            return;
        }

        Sink = sink;
        _array.Feed(chunk, this);
    }

    public override void Complete(IIrEventSink sink)
    {
        if (_array is { HasPartial: true })
        {
            throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended inside an array element");
        }

        base.Complete(sink);
    }

    protected override bool MayEndWithoutTerminator => true;

    public override void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = Sink;
        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        if (root.TryProp("error"u8, out var err))
        {
            Finished = Ended = true; // an error object ends the stream
            sink.OnEvent(new IrStreamError(err.ValueKind == JsonValueKind.Object ? err.Str("message"u8) ?? err.GetRawText() : err.ToString(), err.ValueKind == JsonValueKind.Object ? err.Str("status"u8) : null));
            return;
        }

        if (envelope)
        {
            root = root.Obj("response"u8) ?? throw TranslationException.Missing("response");
        }

        if (!_started)
        {
            _started = true;
            sink.OnEvent(new IrStreamStart(root.Str("responseId"u8), root.Str("modelVersion"u8)));
        }

        // Usage first so that encoders which announce input tokens up front (Anthropic) can use it.
        if (GeminiResponse.DecodeUsage(root.Obj("usageMetadata"u8)) is { } usage)
        {
            sink.OnEvent(new IrUsageUpdate(usage));
        }

        string? finish = null;
        foreach (var c in root.Arr("candidates"u8))
        {
            c.ExpectObject("candidates[]");
            if ((c.Long("index"u8) ?? 0) != 0)
            {
                continue;
            }

            if (c.Obj("content"u8) is { } content)
            {
                foreach (var p in content.Arr("parts"u8))
                {
                    p.ExpectObject("parts[]");
                    DecodePart(p, sink);
                }
            }

            finish ??= c.Str("finishReason"u8);
        }

        if (finish is null && root.Obj("promptFeedback"u8)?.Str("blockReason"u8) is not null)
        {
            finish = "SAFETY";
        }

        if (finish is not null && !Finished)
        {
            Finished = true;
            sink.OnEvent(new IrFinish(FinishReasons.Normalise(Gemini.GeminiFinishReason.From(finish), _calls > 0)));
        }
    }

    private void DecodePart(JsonElement p, IIrEventSink sink)
    {
        string? sig = p.Str("thoughtSignature"u8);
        if (p.Obj("functionCall"u8) is { } fc)
        {
            int index = _calls++;
            sink.OnEvent(new IrToolCallStart(index, fc.Str("id"u8) ?? Ids.NewCallId(), fc.ReqStr("name"u8), sig));
            sink.OnEvent(new IrToolCallDelta(index, fc.TryProp("args"u8, out var a) ? a.RawObject("functionCall.args") : "{}"));
            return;
        }

        if (p.Str("text"u8) is { } text)
        {
            if (p.Bool("thought"u8) is true)
            {
                if (text.Length > 0)
                {
                    sink.OnEvent(new IrReasoningDelta(text));
                }

                if (sig is not null)
                {
                    sink.OnEvent(new IrReasoningSignature(sig));
                }

                return;
            }

            if (sig is not null)
            {
                sink.OnEvent(new IrReasoningSignature(sig));
            }

            if (text.Length > 0)
            {
                sink.OnEvent(new IrTextDelta(text));
            }
        }
        else if (sig is not null)
        {
            sink.OnEvent(new IrReasoningSignature(sig));
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _array?.Dispose();
    }
}
