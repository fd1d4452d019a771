using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Images;

/// <summary>OpenAI Images (<c>/v1/images/generations</c>): <c>{model, prompt, n, size, …}</c> in,
/// <c>{created, data[].b64_json, usage}</c> out.</summary>
internal static class OpenAIImages
{
    public static ImageRequest ReadRequest(ReadOnlySpan<byte> body)
    {
        var r = JsonRead.RootReader(body);
        string? model = null, prompt = null, size = null, responseFormat = null, outputFormat = null;
        int? count = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8))
            {
                r.Read();
                model = JsonRead.Str(ref r, "model");
            }
            else if (r.ValueTextEquals("prompt"u8))
            {
                r.Read();
                prompt = JsonRead.Str(ref r, "prompt");
            }
            else if (r.ValueTextEquals("n"u8))
            {
                r.Read();
                count = JsonRead.Int(ref r, "n");
            }
            else if (r.ValueTextEquals("size"u8))
            {
                r.Read();
                size = JsonRead.Str(ref r, "size");
            }
            else if (r.ValueTextEquals("response_format"u8))
            {
                r.Read();
                responseFormat = JsonRead.Str(ref r, "response_format");
            }
            else if (r.ValueTextEquals("output_format"u8))
            {
                r.Read();
                outputFormat = JsonRead.Str(ref r, "output_format");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        return new ImageRequest(model ?? throw TranslationException.Missing("model"), string.IsNullOrEmpty(prompt) ? throw TranslationException.Missing("prompt") : prompt)
        {
            Count = count is <= 0 ? throw new TranslationException(TranslationErrorKind.WrongType, "'n' must be a positive integer") : count,
            Size = size,
            ResponseFormat = responseFormat,
            OutputFormat = outputFormat,
        };
    }

    public static void WriteRequest(Utf8JsonWriter w, ImageRequest request)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, request.Model);
        w.WriteString("prompt"u8, request.Prompt);
        JsonWrite.NumberIf(w, "n", request.Count);
        JsonWrite.StringIf(w, "size", request.Size);
        JsonWrite.StringIf(w, "response_format", request.ResponseFormat);
        JsonWrite.StringIf(w, "output_format", request.OutputFormat);
        w.WriteEndObject();
    }

    public static ImageResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        var r = JsonRead.RootReader(body);
        var images = ImmutableArray.CreateBuilder<GeneratedImage>();
        IrUsage? usage = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("data"u8))
            {
                r.Read();
                if (JsonRead.Array(ref r, "data"))
                {
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        images.Add(ReadImage(ref r));
                    }
                }
            }
            else if (r.ValueTextEquals("usage"u8))
            {
                r.Read();
                usage = ReadUsage(ref r);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        return new ImageResponse(images.ToImmutable(), usage);
    }

    private static GeneratedImage ReadImage(ref Utf8JsonReader r)
    {
        if (!JsonRead.Object(ref r, "data[]"))
        {
            throw TranslationException.Type("data[]", "an object");
        }

        string? data = null, revised = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("b64_json"u8))
            {
                r.Read();
                data = JsonRead.Str(ref r, "data[].b64_json");
            }
            else if (r.ValueTextEquals("revised_prompt"u8))
            {
                r.Read();
                revised = JsonRead.Str(ref r, "data[].revised_prompt");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return new GeneratedImage(data ?? throw TranslationException.Missing("data[].b64_json"), RevisedPrompt: revised);
    }

    private static IrUsage? ReadUsage(ref Utf8JsonReader r)
    {
        if (!JsonRead.Object(ref r, "usage"))
        {
            return null;
        }

        long input = 0, output = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("input_tokens"u8))
            {
                r.Read();
                input = JsonRead.Long(ref r, "usage.input_tokens") ?? 0;
            }
            else if (r.ValueTextEquals("output_tokens"u8))
            {
                r.Read();
                output = JsonRead.Long(ref r, "usage.output_tokens") ?? 0;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return new IrUsage(input, output);
    }

    /// <param name="created">Unix seconds of the answer.</param>
    public static void WriteResponse(Utf8JsonWriter w, ImageResponse response, long created)
    {
        w.WriteStartObject();
        w.WriteNumber("created"u8, created);
        w.WriteStartArray("data"u8);
        foreach (var image in response.Images)
        {
            w.WriteStartObject();
            w.WriteString("b64_json"u8, image.Base64);
            JsonWrite.StringIf(w, "revised_prompt", image.RevisedPrompt);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (response.Images.FirstOrDefault()?.MimeType is { } mime && mime.StartsWith("image/", StringComparison.Ordinal))
        {
            w.WriteString("output_format"u8, mime["image/".Length..]);
        }

        if (response.Usage is { } usage)
        {
            w.WriteStartObject("usage"u8);
            w.WriteNumber("input_tokens"u8, usage.InputTokens);
            w.WriteNumber("output_tokens"u8, usage.OutputTokens);
            w.WriteNumber("total_tokens"u8, usage.TotalTokens);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
