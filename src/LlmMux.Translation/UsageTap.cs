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
