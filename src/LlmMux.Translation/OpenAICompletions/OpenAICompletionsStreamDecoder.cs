using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary><c>text_completion</c> SSE chunks → IR events.</summary>
internal sealed class OpenAICompletionsStreamDecoder(int maxEventBytes) : IStreamDecoder, IFrameHandler
{
    private readonly SseFramer _framer = new(maxEventBytes);
    private IIrEventSink? _sink;
    private bool _started;
    private bool _ended;
    private bool _finished;

    public void Feed(ReadOnlySpan<byte> chunk, IIrEventSink sink)
    {
        _sink = sink;
        _framer.Feed(chunk, this);
    }

    public void Complete(IIrEventSink sink)
    {
        _sink = sink;
        try
        {
            _framer.Complete(this);
        }
        catch (TranslationException ex) when (ex.Kind == TranslationErrorKind.InvalidJson)
        {
            // A half-received last event is a cut-off stream, not a malformed one.
            throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended inside an event", ex);
        }

        if (!_ended)
        {
            if (!_finished)
            {
                throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended before finish_reason / [DONE]");
            }

            // Some compatible servers finish without [DONE]; the finish_reason already closed the turn.
            _ended = true;
            sink.OnEvent(IrStreamEnd.Instance);
        }
    }

    public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = _sink!;
        if (data.Span.Trim(" \t\r\n"u8).SequenceEqual("[DONE]"u8))
        {
            if (!_ended)
            {
                _ended = true;
                sink.OnEvent(IrStreamEnd.Instance);
            }

            return;
        }

        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        if (root.TryProp("error", out var err))
        {
            _finished = _ended = true; // an error chunk ends the stream
            sink.OnEvent(new IrStreamError(
                err.ValueKind == JsonValueKind.Object ? err.Str("message") ?? err.GetRawText() : err.ToString(),
                err.ValueKind == JsonValueKind.Object ? err.Str("type") : null));
            return;
        }

        if (!_started)
        {
            _started = true;
            sink.OnEvent(new IrStreamStart(root.Str("id"), root.Str("model")));
        }

        foreach (var choice in root.Arr("choices"))
        {
            choice.ExpectObject("choices[]");
            if ((choice.Long("index") ?? 0) != 0)
            {
                continue; // n > 1 is not translated (drop table)
            }

            if (choice.Str("text") is { Length: > 0 } text)
            {
                sink.OnEvent(new IrTextDelta(text));
            }

            if (choice.Str("finish_reason") is { } fr)
            {
                _finished = true;
                sink.OnEvent(new IrFinish(OpenAIChat.OpenAIFinishReason.From(fr)));
            }
        }

        // vLLM puts usage on the finishing chunk, OpenAI on a separate choices:[] chunk; both are handled here.
        if (OpenAIChat.OpenAIChatResponse.DecodeUsage(root.Obj("usage")) is { } usage)
        {
            sink.OnEvent(new IrUsageUpdate(usage));
        }
    }

    public void Dispose() => _framer.Dispose();
}
