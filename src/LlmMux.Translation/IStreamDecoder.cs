namespace LlmMux.Translation;

/// <summary>Upstream bytes → IR events.</summary>
internal interface IStreamDecoder : IDisposable
{
    void Feed(ReadOnlySpan<byte> chunk, IIrEventSink sink);

    /// <summary>Flushes the last frame; throws <see cref="TranslationException"/> (TruncatedStream) when the source
    /// ended before its terminator.</summary>
    void Complete(IIrEventSink sink);
}
