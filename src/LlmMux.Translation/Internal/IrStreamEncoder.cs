using System.Buffers;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Internal;

/// <summary>
/// The one dispatch of IR stream events shared by every dialect's stream encoder: it keeps what all of them keep
/// (the stream's id and model, the last usage, the finish reason), ends the stream on an error or the end event, and
/// ignores everything after that. A dialect overrides only the events it has a form for; the rest is its drop table.
/// </summary>
internal abstract class IrStreamEncoder : StreamWriterBase, IStreamEncoder
{
    /// <summary>The upstream's id, from the start event; an encoder may mint one when the upstream sent none.</summary>
    protected string? Id { get; set; }

    protected string? Model { get; private set; }

    /// <summary>The latest usage seen (upstreams report it cumulatively).</summary>
    protected IrUsage? Usage { get; private set; }

    protected IrFinishReason? Finish { get; private set; }

    public void Write(IrStreamEvent e, IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        BeforeEvent(output, e);
        switch (e)
        {
            case IrStreamStart s:
                Id ??= s.Id;
                Model ??= s.Model;
                OnStart(output);
                break;
            case IrTextDelta t:
                OnText(output, t.Text);
                break;
            case IrReasoningDelta r:
                OnReasoning(output, r.Text);
                break;
            case IrReasoningSignature sig:
                OnReasoningSignature(output, sig.Signature);
                break;
            case IrRedactedReasoning red:
                OnRedactedReasoning(output, red.Data);
                break;
            case IrToolCallStart tc:
                OnToolCallStart(output, tc);
                break;
            case IrToolCallDelta td:
                OnToolCallDelta(output, td);
                break;
            case IrUsageUpdate u:
                Usage = u.Usage;
                break;
            case IrFinish f:
                Finish = f.Reason;
                OnFinish(output, f.Reason);
                break;
            case IrStreamError err:
                WriteError(output, 500, err.Message, err.Type);
                break;
            case IrStreamEnd:
                Complete(output);
                break;
            default:
                break;
        }
    }

    public abstract void Complete(IBufferWriter<byte> output);

    public abstract void WriteError(IBufferWriter<byte> output, int status, string message, string? code);

    /// <summary>Runs before every event is dispatched, for encoders that must flush held state first.</summary>
    protected virtual void BeforeEvent(IBufferWriter<byte> output, IrStreamEvent e)
    {
    }

    protected virtual void OnStart(IBufferWriter<byte> output)
    {
    }

    protected abstract void OnText(IBufferWriter<byte> output, string text);

    protected virtual void OnReasoning(IBufferWriter<byte> output, string text)
    {
    }

    protected virtual void OnReasoningSignature(IBufferWriter<byte> output, string signature)
    {
    }

    protected virtual void OnRedactedReasoning(IBufferWriter<byte> output, string data)
    {
    }

    protected virtual void OnToolCallStart(IBufferWriter<byte> output, IrToolCallStart call)
    {
    }

    protected virtual void OnToolCallDelta(IBufferWriter<byte> output, IrToolCallDelta delta)
    {
    }

    /// <summary>The reason is kept in <see cref="Finish"/> before this runs; most dialects write it at the end.</summary>
    protected virtual void OnFinish(IBufferWriter<byte> output, IrFinishReason reason)
    {
    }
}

/// <summary>A tool call held until it is whole, for dialects that send a call in one piece (Gemini, Ollama).</summary>
internal sealed class BufferedToolCall
{
    private readonly System.Text.StringBuilder _arguments = new();

    /// <summary>The open call's IR index, -1 when none is open.</summary>
    public int Index { get; private set; } = -1;

    public string? Id { get; private set; }

    public string? Name { get; private set; }

    public bool IsOpen => Index >= 0;

    public void Start(IrToolCallStart call)
    {
        Index = call.Index;
        Id = call.Id;
        Name = call.Name;
        _arguments.Clear();
    }

    /// <summary>Fragments of another call than the open one are dropped: these dialects cannot interleave calls.</summary>
    public void Append(IrToolCallDelta delta)
    {
        if (delta.Index == Index)
        {
            _arguments.Append(delta.ArgumentsFragment);
        }
    }

    public string Arguments => _arguments.ToString();

    public void Close() => Index = -1;

    /// <summary>A held call is whole once anything but its own fragments, usage or the finish reason follows.</summary>
    public static bool EndsCall(IrStreamEvent e) => e is not IrToolCallDelta and not IrUsageUpdate and not IrFinish;
}
