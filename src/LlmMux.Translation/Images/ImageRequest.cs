using System.Collections.Immutable;

namespace LlmMux.Translation.Images;

/// <summary>An image-generation call (OpenAI <c>POST /v1/images/generations</c>), as far as a Gemini image model can
/// honour it.</summary>
/// <param name="Model">The model as the client named it.</param>
public sealed record ImageRequest(string Model, string Prompt)
{
    /// <summary>OpenAI <c>n</c>: how many images.</summary>
    public int? Count { get; init; }

    /// <summary>OpenAI <c>size</c> (<c>1024x1024</c>, <c>1536x1024</c>, <c>auto</c>, …).</summary>
    public string? Size { get; init; }

    /// <summary>OpenAI <c>response_format</c> (<c>b64_json</c> or <c>url</c>).</summary>
    public string? ResponseFormat { get; init; }

    /// <summary>OpenAI <c>output_format</c> (<c>png</c>, <c>jpeg</c>, <c>webp</c>).</summary>
    public string? OutputFormat { get; init; }
}

/// <summary>One generated image: its bytes in base64, as every shape carries them inline.</summary>
public sealed record GeneratedImage(string Base64, string? MimeType = null, string? RevisedPrompt = null);

/// <summary>The images of an answer, and why there are none when there are none (a safety stop, text only).</summary>
public sealed record ImageResponse(ImmutableArray<GeneratedImage> Images, Ir.IrUsage? Usage = null, string? FinishReason = null, string? Text = null);
