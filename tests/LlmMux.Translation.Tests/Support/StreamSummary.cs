using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.Support;

/// <summary>What a stream said, independent of its dialect: built by feeding the bytes through that dialect's decoder.</summary>
internal sealed class StreamSummary : IIrEventSink
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly List<(string Id, string Name, StringBuilder Args)> _calls = [];

    public string Text => _text.ToString();

    public string Reasoning => _reasoning.ToString();

    public string? Signature { get; private set; }

    public string? Id { get; private set; }

    public string? Model { get; private set; }

    public IrFinishReason? Finish { get; private set; }

    public IrUsage? Usage { get; private set; }

    public bool Ended { get; private set; }

    public List<string> Errors { get; } = [];

    public List<string> RedactedData { get; } = [];

    public IReadOnlyList<(string Id, string Name, string Args)> ToolCalls =>
        _calls.Select(c => (c.Id, c.Name, c.Args.ToString())).ToList();

    public void OnEvent(IrStreamEvent e)
    {
        switch (e)
        {
            case IrStreamStart s:
                Id ??= s.Id;
                Model ??= s.Model;
                break;
            case IrTextDelta t:
                _text.Append(t.Text);
                break;
            case IrReasoningDelta r:
                _reasoning.Append(r.Text);
                break;
            case IrReasoningSignature sig:
                Signature = sig.Signature;
                break;
            case IrRedactedReasoning red:
                RedactedData.Add(red.Data);
                break;
            case IrToolCallStart tc:
                Assert.Equal(_calls.Count, tc.Index);
                _calls.Add((tc.Id, tc.Name, new StringBuilder()));
                break;
            case IrToolCallDelta td:
                _calls[td.Index].Args.Append(td.ArgumentsFragment);
                break;
            case IrUsageUpdate u:
                Usage = u.Usage;
                break;
            case IrFinish f:
                Finish = f.Reason;
                break;
            case IrStreamError err:
                Errors.Add(err.Message);
                break;
            case IrStreamEnd:
                Ended = true;
                break;
        }
    }

    public static StreamSummary Of(Dialect dialect, byte[] stream, int chunk = int.MaxValue)
    {
        var summary = new StreamSummary();
        using var decoder = DialectRegistry.Default.Get(dialect).CreateStreamDecoder(StreamContext.Default, TranslatorOptions.DefaultMaxEventBytes);
        for (int i = 0; i < stream.Length; i += chunk)
        {
            decoder.Feed(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)), summary);
        }

        decoder.Complete(summary);
        return summary;
    }

    /// <summary>Tool-call arguments compared as JSON values, not text (whitespace/key order may change).</summary>
    public static void AssertSameArgs(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"arguments differ: {expected} vs {actual}");
}

internal static class StreamRun
{
    /// <summary>Translates <paramref name="input"/> fed in pieces of <paramref name="chunk"/> bytes.</summary>
    public static byte[] Translate(Dialect from, Dialect to, byte[] input, int chunk = int.MaxValue, StreamContext? ctx = null, Translator? translator = null)
    {
        var output = new ArrayBufferWriter<byte>();
        using var t = (translator ?? Translator.Default).CreateStreamTranslator(from, to, ctx ?? new StreamContext { Model = "client-model" });
        for (int i = 0; i < input.Length; i += chunk)
        {
            t.Feed(input.AsSpan(i, Math.Min(chunk, input.Length - i)), output);
        }

        t.Complete(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Translates with the input split in two at <paramref name="split"/>.</summary>
    public static byte[] TranslateSplit(Dialect from, Dialect to, byte[] input, int split, Translator? translator = null)
    {
        var output = new ArrayBufferWriter<byte>();
        using var t = (translator ?? Translator.Default).CreateStreamTranslator(from, to, new StreamContext { Model = "client-model" });
        t.Feed(input.AsSpan(0, split), output);
        t.Feed(input.AsSpan(split), output);
        t.Complete(output);
        return output.WrittenSpan.ToArray();
    }
}
