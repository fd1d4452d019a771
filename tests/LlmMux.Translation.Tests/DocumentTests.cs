using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests;

/// <summary>PDF documents travel as IR files (IrImage with a non-image media type) wherever the target has a form.</summary>
public sealed class DocumentTests
{
    private static readonly Translator T = Translator.Default;

    private static readonly byte[] AnthropicWithPdf = """
        {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":[
          {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQKJcfsj6IK"}},
          {"type":"text","text":"Summarise this report."}]}]}
        """u8.ToArray();

    [Fact]
    public void Pdf_reaches_every_dialect_that_can_carry_it()
    {
        var ir = T.DecodeRequest(AnthropicWithPdf, Dialect.Anthropic);
        var pdf = Assert.IsType<IrImage>(ir.Messages[0].Parts[0]);
        Assert.False(pdf.IsImage);

        var openAi = JsonDocument.Parse(T.TranslateRequest(AnthropicWithPdf, Dialect.Anthropic, Dialect.OpenAIChat)).RootElement;
        var file = openAi.GetProperty("messages")[0].GetProperty("content")[0];
        Assert.Equal("file", file.GetProperty("type").GetString());
        Assert.Equal("data:application/pdf;base64,JVBERi0xLjQKJcfsj6IK", file.GetProperty("file").GetProperty("file_data").GetString());

        var gemini = JsonDocument.Parse(T.TranslateRequest(AnthropicWithPdf, Dialect.Anthropic, Dialect.Gemini)).RootElement;
        Assert.Equal("application/pdf", gemini.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("inlineData").GetProperty("mimeType").GetString());

        var responses = JsonDocument.Parse(T.TranslateRequest(AnthropicWithPdf, Dialect.Anthropic, Dialect.OpenAIResponses)).RootElement;
        Assert.Equal("input_file", responses.GetProperty("input")[0].GetProperty("content")[0].GetProperty("type").GetString());

        var ollama = JsonDocument.Parse(T.TranslateRequest(AnthropicWithPdf, Dialect.Anthropic, Dialect.Ollama)).RootElement;
        Assert.False(ollama.GetProperty("messages")[0].TryGetProperty("images", out _)); // Ollama takes images only

        // and back: every carrier decodes to the same document
        foreach (var (dialect, body) in new[] { (Dialect.OpenAIChat, openAi), (Dialect.Gemini, gemini), (Dialect.OpenAIResponses, responses) })
        {
            var back = T.DecodeRequest(JsonSerializer.SerializeToUtf8Bytes(body), dialect);
            Assert.Equal(pdf, back.Messages[0].Parts.OfType<IrImage>().Single());
            var anthropic = JsonDocument.Parse(T.EncodeRequest(back, Dialect.Anthropic)).RootElement;
            Assert.Equal("document", anthropic.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("type").GetString());
        }
    }
}

/// <summary>Images a tool returns (screenshots) must reach targets whose tool results hold text only.</summary>
public sealed class ToolResultImageTests
{
    private static readonly byte[] Screenshot = """
        {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[
          {"role":"user","content":"Take a screenshot"},
          {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"screenshot","input":{}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[
            {"type":"text","text":"captured"},
            {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}]}
        """u8.ToArray();

    [Fact]
    public void Openai_gets_the_image_in_a_user_message_after_the_tool_message()
    {
        var root = JsonDocument.Parse(Translator.Default.TranslateRequest(Screenshot, Dialect.Anthropic, Dialect.OpenAIChat)).RootElement;
        var msgs = root.GetProperty("messages");
        Assert.Equal("tool", msgs[2].GetProperty("role").GetString());
        Assert.Equal("captured", msgs[2].GetProperty("content").GetString());
        Assert.Equal("user", msgs[3].GetProperty("role").GetString());
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", msgs[3].GetProperty("content")[0].GetProperty("image_url").GetProperty("url").GetString());
    }

    [Fact]
    public void Responses_gets_the_image_inside_the_function_call_output()
    {
        var bytes = Translator.Default.TranslateRequest(Screenshot, Dialect.Anthropic, Dialect.OpenAIResponses);
        var output = JsonDocument.Parse(bytes).RootElement.GetProperty("input")[2].GetProperty("output");
        Assert.Equal("input_image", output[1].GetProperty("type").GetString());
        var back = Translator.Default.DecodeRequest(bytes, Dialect.OpenAIResponses);
        var result = back.Messages[2].Parts.OfType<IrToolResult>().Single();
        Assert.Equal("image/png", result.Content.OfType<IrImage>().Single().MediaType);
    }
}
