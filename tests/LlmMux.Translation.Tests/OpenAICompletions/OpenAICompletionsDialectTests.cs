namespace LlmMux.Translation.Tests.OpenAICompletions;

/// <summary>Legacy Completions is OpenAI-family: Chat's error, list and usage shapes, usage chunk only when asked.</summary>
public sealed class OpenAICompletionsDialectTests
{
    private static readonly DialectDescriptor D = Dialects.Get(Dialect.OpenAICompletions);

    [Fact]
    public void Facts()
    {
        Assert.Equal(ApiFamily.OpenAI, D.Family);
        Assert.True(D.UsageChunkOnRequest);
        Assert.Equal(new[] { ("openai-completions", "/v1/completions") }, D.Routes.Select(r => (r.Name, r.Path)));
        Assert.Equal(Dialects.Get(Dialect.OpenAIChat).StreamError(502, "m", "c"), D.StreamError(502, "m", "c"));
    }

    [Fact]
    public void Usage_scan_reads_the_usage_chunk()
    {
        using var tap = Translator.Default.CreateUsageTap(Dialect.OpenAICompletions, stream: false);
        tap.Feed("""{"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"hi","index":0,"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"""u8);
        Assert.Equal(new Translation.Ir.IrUsage(5, 7), tap.Complete());
    }
}
