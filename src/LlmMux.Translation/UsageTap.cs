using System.Buffers;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>Watches an upstream answer go by and reports the token usage it carried. Never throws on bad input.</summary>
public interface IUsageTap : IDisposable
{
    void Feed(ReadOnlySpan<byte> chunk);

    /// <summary>The usage seen so far; call after the last <see cref="Feed"/>.</summary>
    IrUsage? Complete();

    /// <summary>True once a stream event exceeded <see cref="TranslatorOptions.MaxEventBytes"/>: the tap stopped
    /// reading and holds nothing; a caller that passes the stream through should cut it with an error event.</summary>
    bool EventTooLarge { get; }
}

internal sealed class StreamUsageTap(IStreamDecoder decoder) : IUsageTap, IIrEventSink
{
    private IrUsage? _usage;
    private bool _broken;

    public bool EventTooLarge { get; private set; }

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            decoder.Feed(chunk, this);
        }
        catch (Exception ex) when (ex is TranslationException || Translator.IsShapeError(ex))
        {
            // Usage is best effort: the client's stream is not this tap's business. The decoder is done with, so its
            // buffers go back now rather than when the response ends.
            _broken = true;
            EventTooLarge = ex is StreamEventTooLargeException;
            decoder.Dispose();
        }
    }

    public IrUsage? Complete() => _usage;

    public void OnEvent(IrStreamEvent e)
    {
        if (e is IrUsageUpdate update)
        {
            _usage = update.Usage;
        }
    }

    public void Dispose() => decoder.Dispose();
}

internal sealed class BodyUsageTap(Translator translator, Dialect dialect) : IUsageTap
{
    /// <summary>Bodies larger than this are not decoded for usage: memory matters more than one count.</summary>
    private const int MaxBodyBytes = 8 * 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _body = new();
    private bool _tooLarge;

    /// <summary>A body has no events; its own cap only stops the usage count.</summary>
    public bool EventTooLarge => false;

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_tooLarge || _body.WrittenCount + chunk.Length > MaxBodyBytes)
        {
            _tooLarge = true;
            return;
        }

        _body.Write(chunk);
    }

    public IrUsage? Complete()
    {
        if (_tooLarge || _body.WrittenCount == 0)
        {
            return null;
        }

        try
        {
            return translator.DecodeResponse(_body.WrittenMemory, dialect).Usage;
        }
        catch (TranslationException)
        {
            return null;
        }
    }

    public void Dispose()
    {
    }
}
