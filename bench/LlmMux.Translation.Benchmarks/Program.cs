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
        Console.WriteLine($"request body: {body.Length} bytes");
        Measure("  reader pass only", 3000, 1, () => { var r = new System.Text.Json.Utf8JsonReader(body); while (r.Read()) { } return r.BytesConsumed; });
        Measure("  parse only (JsonDocument)", 3000, 1, () => { using var d = System.Text.Json.JsonDocument.Parse(body); return d; });
        Measure("  decode OpenAI", 3000, 1, () => Translator.Default.DecodeRequest(body, Dialect.OpenAIChat));
        Measure("  encode Anthropic", 3000, 1, () => Translator.Default.EncodeRequest(ir, Dialect.Anthropic));
        Measure("  encode OpenAI", 3000, 1, () => Translator.Default.EncodeRequest(ir, Dialect.OpenAIChat));
        Measure("request OpenAI→Anthropic", 3000, 1, () => req.OpenAIToAnthropic());
        Measure("request Anthropic→Gemini", 3000, 1, () => req.AnthropicToGemini());
        Measure("stream Anthropic→OpenAI /event", 300, 1000, () => stream.AnthropicToOpenAI());
        Measure("stream OpenAI→Anthropic /event", 300, 1000, () => stream.OpenAIToAnthropic());
    }

    private static void Measure(string name, int iterations, int perInvoke, Func<object> f)
    {
        for (int i = 0; i < iterations; i++)
        {
            f();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            f();
        }

        sw.Stop();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        double ops = (double)iterations * perInvoke;
        Console.WriteLine($"{name,-36} {sw.Elapsed.TotalMicroseconds / ops,10:F3} us {bytes / ops,10:F0} B");
    }
}
