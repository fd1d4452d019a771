using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Images;

/// <summary>Image generation on a Gemini image model: <c>generateContent</c> with <c>responseModalities: ["IMAGE"]</c>;
/// the images come back as <c>inlineData</c> parts, which the Gemini response codec already reads.</summary>
internal static class GeminiImages
{
    /// <summary>The aspect ratios Gemini image models accept, as width/height.</summary>
    private static readonly (string Name, double Ratio)[] AspectRatios =
    [
        ("1:1", 1.0), ("2:3", 2.0 / 3), ("3:2", 3.0 / 2), ("3:4", 3.0 / 4), ("4:3", 4.0 / 3),
        ("4:5", 4.0 / 5), ("5:4", 5.0 / 4), ("9:16", 9.0 / 16), ("16:9", 16.0 / 9), ("21:9", 21.0 / 9),
    ];

    public static void WriteRequest(Utf8JsonWriter w, ImageRequest request)
    {
        w.WriteStartObject();
        w.WriteStartArray("contents"u8);
        w.WriteStartObject();
        w.WriteString("role"u8, "user"u8);
        w.WriteStartArray("parts"u8);
        w.WriteStartObject();
        w.WriteString("text"u8, request.Prompt);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("generationConfig"u8);
        w.WriteStartArray("responseModalities"u8);
        w.WriteStringValue("IMAGE"u8);
        w.WriteEndArray();
        if (request.Count is { } n && n > 1)
        {
            w.WriteNumber("candidateCount"u8, n);
        }

        if (AspectRatioOf(request.Size) is { } ratio)
        {
            w.WriteStartObject("imageConfig"u8);
            w.WriteString("aspectRatio"u8, ratio);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>An OpenAI <c>size</c> (<c>WIDTHxHEIGHT</c>) as the nearest aspect ratio Gemini knows; none for <c>auto</c>.</summary>
    internal static string? AspectRatioOf(string? size)
    {
        var x = size?.IndexOf('x', StringComparison.Ordinal) ?? -1;
        if (x <= 0
            || !int.TryParse(size.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(size.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            || width <= 0 || height <= 0)
        {
            return null;
        }

        var wanted = Math.Log((double)width / height);
        return AspectRatios.MinBy(a => Math.Abs(Math.Log(a.Ratio) - wanted)).Name;
    }

    /// <summary>The images of a decoded Gemini answer; its text (a refusal, a caption) is kept for when there are none.</summary>
    public static ImageResponse FromIr(IrResponse response)
    {
        var images = ImmutableArray.CreateBuilder<GeneratedImage>();
        var text = new System.Text.StringBuilder();
        foreach (var part in response.Parts)
        {
            switch (part)
            {
                case IrImage { Base64Data: { Length: > 0 } data } image:
                    images.Add(new GeneratedImage(data, image.MediaType));
                    break;
                case IrText t:
                    text.Append(t.Text);
                    break;
            }
        }

        return new ImageResponse(images.ToImmutable(), response.Usage, response.FinishReason.ToString(), text.Length > 0 ? text.ToString() : null);
    }
}
