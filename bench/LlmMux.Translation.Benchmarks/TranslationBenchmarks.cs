using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace LlmMux.Translation.Benchmarks;

[MemoryDiagnoser]
public class RequestBenchmarks
{
    private byte[] _openAi = [];
    private byte[] _anthropic = [];

    [GlobalSetup]
    public void Setup()
    {
        _openAi = Payloads.OpenAIRequest();
        _anthropic = Translator.Default.TranslateRequest(_openAi, Dialect.OpenAIChat, Dialect.Anthropic);
    }

    [Benchmark(Description = "request OpenAI→Anthropic (40 msgs, 10 tools, images)")]
    public byte[] OpenAIToAnthropic() => Translator.Default.TranslateRequest(new ReadOnlyMemory<byte>(_openAi), Dialect.OpenAIChat, Dialect.Anthropic);

    [Benchmark(Description = "request Anthropic→Gemini (40 msgs, 10 tools, images)")]
    public byte[] AnthropicToGemini() => Translator.Default.TranslateRequest(new ReadOnlyMemory<byte>(_anthropic), Dialect.Anthropic, Dialect.Gemini);

    // What the gateway calls: the body stays in a pooled buffer until it is sent, so no array the size of the output.
    [Benchmark(Description = "request body OpenAI→Anthropic (pooled)")]
    public int OpenAIToAnthropicBody()
    {
        using var body = Translator.Default.TranslateRequestBody(_openAi, Dialect.OpenAIChat, Dialect.Anthropic);
        return body.Length;
    }

    [Benchmark(Description = "request body Anthropic→Gemini (pooled)")]
    public int AnthropicToGeminiBody()
    {
        using var body = Translator.Default.TranslateRequestBody(_anthropic, Dialect.Anthropic, Dialect.Gemini);
        return body.Length;
    }

    [Benchmark(Description = "request same dialect, model + reasoning-free override (splice)")]
    public int SameDialectSplice()
    {
        using var body = Translator.Default.TranslateRequestBody(_openAi, Dialect.OpenAIChat, Dialect.OpenAIChat, ModelOnly);
        return body.Length;
    }

    private static readonly RequestOverrides ModelOnly = new() { Model = "gpt-4.1" };
}

/// <summary>Per-event cost: each invocation translates a 1,000-delta stream fed in network-sized chunks.</summary>
[MemoryDiagnoser]
public class StreamBenchmarks
{
    private const int Events = 1000;
    private const int ChunkSize = 1400; // one TCP segment's worth, so events straddle chunk boundaries
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private byte[] _anthropic = [];
    private byte[] _openAi = [];

    [GlobalSetup]
    public void Setup()
    {
        _anthropic = Payloads.AnthropicStream(Events);
        _openAi = Payloads.OpenAIStream(Events);
    }

    [Benchmark(Description = "stream Anthropic→OpenAI, per event", OperationsPerInvoke = Events)]
    public int AnthropicToOpenAI() => Run(_anthropic, Dialect.Anthropic, Dialect.OpenAIChat);

    [Benchmark(Description = "stream OpenAI→Anthropic, per event", OperationsPerInvoke = Events)]
    public int OpenAIToAnthropic() => Run(_openAi, Dialect.OpenAIChat, Dialect.Anthropic);

    private int Run(byte[] input, Dialect from, Dialect to)
    {
        _output.ResetWrittenCount();
        using var t = Translator.Default.CreateStreamTranslator(from, to, new StreamContext { Model = "client-model" });
        for (int i = 0; i < input.Length; i += ChunkSize)
        {
            t.Feed(input.AsSpan(i, Math.Min(ChunkSize, input.Length - i)), _output);
        }

        t.Complete(_output);
        return _output.WrittenCount;
    }
}
