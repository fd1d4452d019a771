using System.Buffers;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>IR events → client bytes.</summary>
internal interface IStreamEncoder
{
    void Write(IrStreamEvent e, IBufferWriter<byte> output);

    /// <summary>Closes whatever is open and writes the dialect's terminator (idempotent).</summary>
    void Complete(IBufferWriter<byte> output);

    /// <summary>An in-stream error in this dialect followed by the terminator when the dialect has one (idempotent,
    /// and nothing is written after it). <paramref name="code"/> as in <see cref="DialectDescriptor.WriteError"/>.</summary>
    void WriteError(IBufferWriter<byte> output, int status, string message, string? code);
}
