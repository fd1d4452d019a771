using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Images;

/// <summary>The gateway-facing facade for image generation: an OpenAI Images request read once, sent as it is to
/// OpenAI-compatible upstreams or as a Gemini <c>generateContent</c> to Gemini image models, and a Gemini answer
/// written back in OpenAI's shape. Only <see cref="TranslationException"/> leaves it.</summary>
public static class ImageTranslator
{
    public static ImageRequest DecodeRequest(ReadOnlyMemory<byte> body) => Translator.Guard(() => OpenAIImages.ReadRequest(body.Span));

    public static byte[] EncodeRequest(ImageRequest request) =>
        Translator.Guard(() => JsonWrite.ToBytes(w => OpenAIImages.WriteRequest(w, request)));

    public static byte[] EncodeGeminiRequest(ImageRequest request) =>
        Translator.Guard(() => JsonWrite.ToBytes(w => GeminiImages.WriteRequest(w, request)));

    public static ImageResponse DecodeResponse(ReadOnlyMemory<byte> body) => Translator.Guard(() => OpenAIImages.ReadResponse(body.Span));

    public static ImageResponse DecodeGeminiResponse(ReadOnlyMemory<byte> body) =>
        GeminiImages.FromIr(Translator.Default.DecodeResponse(body, Dialect.Gemini));

    /// <param name="created">Unix seconds of the answer (the caller's clock: this project keeps none).</param>
    public static byte[] EncodeResponse(ImageResponse response, long created) =>
        Translator.Guard(() => JsonWrite.ToBytes(w => OpenAIImages.WriteResponse(w, response, created)));
}
