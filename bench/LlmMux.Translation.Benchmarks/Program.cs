using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace LlmMux.Translation.Benchmarks;

internal static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["quick", ..])
        {
            Quick();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>A rough stopwatch pass (no BenchmarkDotNet) for quick before/after checks while optimising.</summary>
    private static void Quick()
    {
        var req = new RequestBenchmarks();
        req.Setup();
        var stream = new StreamBenchmarks();
        stream.Setup();
        var body = Payloads.OpenAIRequest();
        var ir = Translator.Default.DecodeRequest(body, Dialect.OpenAIChat);
        Console.WriteLine($"request body: {body.Length} bytes; strings in its IR: {IrStringBytes(ir)} bytes (the floor of any decode into this IR)");
        using var lookupDoc = System.Text.Json.JsonDocument.Parse("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}");
        var lookupEl = lookupDoc.RootElement;
        Measure("  1000 lookups by string name", 1000, 1, () => { int n = 0; for (int i = 0; i < 1000; i++) { n += lookupEl.TryGetProperty("tool_calls", out _) ? 1 : 0; } return n; });
        Measure("  1000 lookups by utf-8 name", 1000, 1, () => { int n = 0; for (int i = 0; i < 1000; i++) { n += lookupEl.TryGetProperty("tool_calls"u8, out _) ? 1 : 0; } return n; });
        Measure("  reader pass only", 1000, 1, () => { var r = new System.Text.Json.Utf8JsonReader(body); while (r.Read()) { } return r.BytesConsumed; });
        Measure("  parse only (JsonDocument)", 1000, 1, () => { using var d = System.Text.Json.JsonDocument.Parse(body); return d; });
        var toolsOnly = System.Text.Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[]," + System.Text.Encoding.UTF8.GetString(body)[System.Text.Encoding.UTF8.GetString(body).IndexOf("\"tools\"", StringComparison.Ordinal)..]);
        Measure("  decode OpenAI tools only", 1000, 1, () => Translator.Default.DecodeRequest(toolsOnly, Dialect.OpenAIChat));
        Measure("  decode OpenAI", 1000, 1, () => Translator.Default.DecodeRequest(body, Dialect.OpenAIChat));
        Measure("  encode Anthropic", 1000, 1, () => Translator.Default.EncodeRequest(ir, Dialect.Anthropic));
        Measure("  encode OpenAI", 1000, 1, () => Translator.Default.EncodeRequest(ir, Dialect.OpenAIChat));
        var anthropicBody = Translator.Default.EncodeRequest(ir, Dialect.Anthropic);
        Measure("  decode Anthropic", 1000, 1, () => Translator.Default.DecodeRequest(anthropicBody, Dialect.Anthropic));
        Measure("  encode Gemini", 1000, 1, () => Translator.Default.EncodeRequest(ir, Dialect.Gemini));
        Measure("request OpenAI→Anthropic", 1000, 1, () => req.OpenAIToAnthropic());
        Measure("request Anthropic→Gemini", 1000, 1, () => req.AnthropicToGemini());
        Measure("stream Anthropic→OpenAI /event", 100, 1000, () => stream.AnthropicToOpenAI());
        Measure("stream OpenAI→Anthropic /event", 100, 1000, () => stream.OpenAIToAnthropic());
    }

    /// <summary>Managed size of every string the IR holds (22 bytes of header and length plus two per char, 8-aligned).</summary>
    private static long IrStringBytes(LlmMux.Translation.Ir.IrRequest ir)
    {
        long total = 0;
        void Add(string? s) => total += s is null ? 0 : (22 + (2 * s.Length) + 7) / 8 * 8;
        void Parts(System.Collections.Immutable.ImmutableArray<LlmMux.Translation.Ir.IrPart> parts)
        {
            foreach (var p in parts)
            {
                switch (p)
                {
                    case LlmMux.Translation.Ir.IrText t: Add(t.Text); break;
                    case LlmMux.Translation.Ir.IrImage i: Add(i.Url); Add(i.Base64Data); Add(i.MediaType); break;
                    case LlmMux.Translation.Ir.IrToolCall c: Add(c.Id); Add(c.Name); Add(c.ArgumentsJson); Add(c.Signature); break;
                    case LlmMux.Translation.Ir.IrToolResult r: Add(r.ToolCallId); Add(r.Name); Parts(r.Content); break;
                    case LlmMux.Translation.Ir.IrReasoning r: Add(r.Text); Add(r.Signature); break;
                }
            }
        }

        Add(ir.Model);
        foreach (var s in ir.System)
        {
            Add(s);
        }

        foreach (var m in ir.Messages)
        {
            Parts(m.Parts);
        }

        foreach (var t in ir.Tools)
        {
            Add(t.Name);
            Add(t.Description);
            Add(t.ParametersJson);
        }

        return total;
    }

    /// <summary>Best of five timed rounds: on a shared machine the minimum is the least disturbed figure.</summary>
    private static void Measure(string name, int iterations, int perInvoke, Func<object> f)
    {
        for (int i = 0; i < iterations; i++)
        {
            f();
        }

        double best = double.MaxValue;
        double bytesPerOp = 0;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++)
            {
                f();
            }

            sw.Stop();
            double ops = (double)iterations * perInvoke;
            best = Math.Min(best, sw.Elapsed.TotalMicroseconds / ops);
            bytesPerOp = (GC.GetAllocatedBytesForCurrentThread() - before) / ops;
        }

        Console.WriteLine($"{name,-36} {best,10:F3} us {bytesPerOp,10:F0} B");
    }
}
