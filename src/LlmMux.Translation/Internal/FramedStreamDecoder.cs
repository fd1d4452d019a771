using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Internal;

/// <summary>
/// What every stream decoder does around its dialect's events: feeds the framer, hands each complete event to
/// <see cref="OnFrame"/>, and at the end tells a cut-off stream (<see cref="TranslationErrorKind.TruncatedStream"/>)
/// from a malformed one. A subclass decodes one event at a time and says when its source ended.
/// </summary>
internal abstract class FramedStreamDecoder(IEventFramer framer) : IStreamDecoder, IFrameHandler
{
    private IIrEventSink? _sink;

    /// <summary>The sink of the current <see cref="Feed"/> or <see cref="Complete"/> call.</summary>
    protected IIrEventSink Sink
    {
        get => _sink!;
        set => _sink = value;
    }

    /// <summary>The source's terminator (or an error that ends it) was seen.</summary>
    protected bool Ended { get; set; }

    /// <summary>The source reported the turn's finish reason.</summary>
    protected bool Finished { get; set; }

    /// <summary>The source may stop without its terminator once <see cref="Finished"/> (Gemini has none; some
    /// OpenAI-compatible servers skip <c>[DONE]</c>): the end of the body is then the end.</summary>
    protected virtual bool MayEndWithoutTerminator => false;

    /// <summary>What a stream that stopped before <see cref="Ended"/> lacked, for the TruncatedStream message.</summary>
    protected abstract string MissingEnd { get; }

    /// <summary>The message for a stream that stopped in the middle of an event.</summary>
    protected virtual string InsideEvent => "stream ended inside an event";

    public virtual void Feed(ReadOnlySpan<byte> chunk, IIrEventSink sink)
    {
        _sink = sink;
        framer.Feed(chunk, this);
    }

    public virtual void Complete(IIrEventSink sink)
    {
        _sink = sink;
        try
        {
            framer.Complete(this);
        }
        catch (TranslationException ex) when (ex.Kind == TranslationErrorKind.InvalidJson)
        {
            // A half-received last event is a cut-off stream, not a malformed one.
            throw new TranslationException(TranslationErrorKind.TruncatedStream, InsideEvent, ex);
        }

        if (!Ended)
        {
            if (!(MayEndWithoutTerminator && Finished))
            {
                throw new TranslationException(TranslationErrorKind.TruncatedStream, MissingEnd);
            }

            End();
        }
    }

    public abstract void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data);

    public virtual void Dispose() => framer.Dispose();

    /// <summary>Reports the end of the source stream once.</summary>
    protected void End()
    {
        if (!Ended)
        {
            Ended = true;
            Sink.OnEvent(IrStreamEnd.Instance);
        }
    }

    /// <summary>The Chat Completions terminator, which some proxies also append to other dialects' streams.</summary>
    protected static bool IsDone(ReadOnlyMemory<byte> data) => data.Span.Trim(" \t\r\n"u8).SequenceEqual("[DONE]"u8);
}
