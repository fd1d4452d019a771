using System.Text;
using System.Text.Json.Nodes;

namespace LlmMux.Translation.Tests.History;

/// <summary>Claude Code's attribution block reaches Anthropic only; other upstreams get the real system prompt.</summary>
public sealed class ClientMetadataTests
{
    private const string Body = """
        {"model":"m","max_tokens":64,"system":[
          {"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.332.a1b; cc_entrypoint=cli;"},
          {"type":"text","text":"You are Claude Code."}],
         "messages":[{"role":"user","content":"hi"}]}
        """;

    [Theory]
    [InlineData(Dialect.OpenAIChat)]
    [InlineData(Dialect.OpenAIResponses)]
    [InlineData(Dialect.Gemini)]
    public void The_billing_header_block_is_not_sent_to_another_family(Dialect to)
    {
        var sent = Encoding.UTF8.GetString(Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(Body), Dialect.Anthropic, to, new RequestOverrides { Model = "m" }));
        Assert.DoesNotContain("x-anthropic-billing-header", sent, StringComparison.Ordinal);
        Assert.Contains("You are Claude Code.", sent, StringComparison.Ordinal);
    }

    [Fact]
    public void Anthropic_keeps_it()
    {
        var sent = JsonNode.Parse(Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(Body), Dialect.Anthropic, Dialect.Anthropic, new RequestOverrides { Model = "m" }))!;
        Assert.StartsWith("x-anthropic-billing-header", sent["system"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
