using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>Receives IR events from a decoder.</summary>
internal interface IIrEventSink
{
    void OnEvent(IrStreamEvent e);
}
