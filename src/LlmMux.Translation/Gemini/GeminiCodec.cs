using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>Gemini generateContent; with <paramref name="codeAssist"/> the same body inside the Code Assist envelope
/// (<c>{model, project, request}</c> in, <c>{response}</c> out) used by Gemini CLI OAuth accounts.</summary>
internal sealed class GeminiCodec(bool codeAssist) : IDialectCodec
{
    // Plain Gemini carries the model in the URL; Code Assist carries it in the envelope.
    public string? ModelPropertyName => codeAssist ? "model" : null;

    public IReadOnlyList<BodyEdit>? ReasoningPatch(JsonElement root, IrReasoningConfig reasoning)
    {
        if (!codeAssist)
        {
            // The model is in the URL; without it Gemini 3 levels fall back to a budget, which Gemini 3 also accepts.
            return GeminiRequest.ReasoningPatch(root, reasoning, null);
        }

        var request = root.Obj("request"u8) ?? throw TranslationException.Missing("request");
        var inner = GeminiRequest.ReasoningPatch(request, reasoning, root.Str("model"u8));
        return [new("request", w => w.WriteRawValue(BodyPatch.Apply(request, inner), skipInputValidation: true))];
    }

    public IReadOnlyList<BodyEdit>? OverridePatch(RequestOverrides overrides) =>
        overrides.SystemPrefix is not null ? null
        : codeAssist && overrides.CodeAssistProject is { } project ? [new("project", w => w.WriteStringValue(project))]
        : [];

    public (string? Envelope, string Property) ResponseModelPath => (codeAssist ? "response" : null, "modelVersion");

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body) => JsonRead.DecodeRoot(body, DecodeRoot);

    private IrRequest DecodeRoot(JsonElement root)
    {
        if (!codeAssist)
        {
            return GeminiRequest.Decode(root, null);
        }

        var inner = root.Obj("request"u8) ?? throw TranslationException.Missing("request");
        return GeminiRequest.Decode(inner, root.Str("model"u8));
    }

    public void EncodeRequest(IrRequest request, Utf8JsonWriter w, RequestOverrides? overrides)
    {
        bool forClaude = overrides?.GeminiForClaude == true;
        if (!codeAssist)
        {
            GeminiRequest.Encode(request, w, forClaude);
            return;
        }

        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", request.Model);
        JsonWrite.StringIf(w, "project", overrides?.CodeAssistProject);
        w.WritePropertyName("request"u8);
        GeminiRequest.Encode(request, w, forClaude);
        w.WriteEndObject();
    }

    public IrResponse DecodeResponse(JsonElement root) =>
        GeminiResponse.Decode(codeAssist ? root.Obj("response"u8) ?? throw TranslationException.Missing("response") : root);

    public void EncodeResponse(IrResponse response, Utf8JsonWriter w)
    {
        if (!codeAssist)
        {
            GeminiResponse.Encode(response, w);
            return;
        }

        w.WriteStartObject();
        w.WritePropertyName("response"u8);
        GeminiResponse.Encode(response, w);
        w.WriteEndObject();
    }

    public IStreamDecoder CreateStreamDecoder(StreamContext context, int maxEventBytes) => new GeminiStreamDecoder(codeAssist, maxEventBytes);

    public IStreamEncoder CreateStreamEncoder(StreamContext context) => new GeminiStreamEncoder(context, codeAssist);
}
