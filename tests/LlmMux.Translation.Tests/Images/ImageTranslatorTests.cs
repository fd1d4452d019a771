using System.Text;
using System.Text.Json;
using LlmMux.Translation.Images;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.Images;

/// <summary>OpenAI Images requests to Gemini image models and their answers back, on the APIs' documented shapes.</summary>
public sealed class ImageTranslatorTests
{
    private const string OnePixelPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    [Fact]
    public void An_OpenAI_request_keeps_what_a_Gemini_model_can_honour()
    {
        var request = ImageTranslator.DecodeRequest(Fixture.Bytes("images/openai_request.json"));

        Assert.Equal(("gpt-image-1", "A cute baby sea otter floating on its back"), (request.Model, request.Prompt));
        Assert.Equal((1, "1536x1024", "png"), (request.Count, request.Size, request.OutputFormat));
    }

    [Fact]
    public void The_Gemini_request_asks_for_an_image_in_the_nearest_aspect_ratio()
    {
        var request = ImageTranslator.DecodeRequest(Fixture.Bytes("images/openai_request.json"));
        using var sent = JsonDocument.Parse(ImageTranslator.EncodeGeminiRequest(request));
        var root = sent.RootElement;

        Assert.Equal("A cute baby sea otter floating on its back", root.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("user", root.GetProperty("contents")[0].GetProperty("role").GetString());
        var config = root.GetProperty("generationConfig");
        Assert.Equal(["IMAGE"], config.GetProperty("responseModalities").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("3:2", config.GetProperty("imageConfig").GetProperty("aspectRatio").GetString());
        Assert.False(config.TryGetProperty("candidateCount", out _)); // one image is the default
    }

    [Theory]
    [InlineData("1024x1024", "1:1")]
    [InlineData("1536x1024", "3:2")]
    [InlineData("1024x1536", "2:3")]
    [InlineData("1792x1024", "16:9")]
    [InlineData("1024x1792", "9:16")]
    [InlineData("256x256", "1:1")]
    [InlineData("auto", null)]
    [InlineData("0x10", null)]
    [InlineData("x", null)]
    [InlineData(null, null)]
    public void OpenAI_sizes_map_to_Gemini_aspect_ratios(string? size, string? ratio)
    {
        Assert.Equal(ratio, GeminiImages.AspectRatioOf(size));
    }

    [Fact]
    public void A_Gemini_answer_gives_its_inline_images_and_usage()
    {
        var answer = ImageTranslator.DecodeGeminiResponse(Fixture.Bytes("images/gemini_response.json"));

        var image = Assert.Single(answer.Images);
        Assert.Equal((OnePixelPng, "image/png"), (image.Base64, image.MimeType));
        Assert.Equal((9L, 1290L), (answer.Usage!.InputTokens, answer.Usage.OutputTokens));
        Assert.Equal("Here is a sea otter floating on its back.", answer.Text);
    }

    [Fact]
    public void The_client_gets_OpenAI_images_with_b64_json_and_the_format_of_the_bytes()
    {
        var answer = ImageTranslator.DecodeGeminiResponse(Fixture.Bytes("images/gemini_response.json"));
        var written = ImageTranslator.EncodeResponse(answer, created: 1_764_000_000);

        using var doc = JsonDocument.Parse(written);
        Assert.Equal(1_764_000_000, doc.RootElement.GetProperty("created").GetInt64());
        Assert.Equal(OnePixelPng, doc.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString());
        Assert.Equal("png", doc.RootElement.GetProperty("output_format").GetString());
        Assert.Equal(1299, doc.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal(answer.Images, ImageTranslator.DecodeResponse(written).Images.Select(i => i with { MimeType = "image/png" }));
    }

    [Fact]
    public void An_OpenAI_answer_reads_back_with_its_usage()
    {
        var answer = ImageTranslator.DecodeResponse(Fixture.Bytes("images/openai_response.json"));

        Assert.Equal(OnePixelPng, Assert.Single(answer.Images).Base64);
        Assert.Equal((50L, 50L), (answer.Usage!.InputTokens, answer.Usage.OutputTokens));
    }

    [Fact]
    public void A_refused_image_is_an_answer_without_images_that_says_why()
    {
        var answer = ImageTranslator.DecodeGeminiResponse(Fixture.Bytes("images/gemini_response_blocked.json"));

        Assert.Empty(answer.Images);
        Assert.Equal("ContentFilter", answer.FinishReason);
    }

    [Fact]
    public void Several_images_are_asked_as_candidates()
    {
        var request = new ImageRequest("gemini-2.5-flash-image", "two otters") { Count = 2, Size = "auto" };
        using var sent = JsonDocument.Parse(ImageTranslator.EncodeGeminiRequest(request));

        var config = sent.RootElement.GetProperty("generationConfig");
        Assert.Equal(2, config.GetProperty("candidateCount").GetInt32());
        Assert.False(config.TryGetProperty("imageConfig", out _));
    }

    [Theory]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"model":"m","prompt":""}""")]
    [InlineData("""{"prompt":"p"}""")]
    [InlineData("""{"model":"m","prompt":"p","n":0}""")]
    [InlineData("""{"model":"m","prompt":7}""")]
    [InlineData("""{"model":"m","prompt":"p""")]
    public void Malformed_requests_are_a_translation_error(string body)
    {
        Assert.Throws<TranslationException>(() => ImageTranslator.DecodeRequest(Encoding.UTF8.GetBytes(body)));
    }
}
