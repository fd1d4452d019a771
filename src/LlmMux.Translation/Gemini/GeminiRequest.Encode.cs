using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>IR → request body (the decoding half is in GeminiRequest.cs).</summary>
internal static partial class GeminiRequest
{
    /// <summary>Room left for the answer above a Claude thinking budget when the client's cap does not leave any.</summary>
    internal const int ClaudeAnswerRoom = 4096;

    /// <param name="r">The request.</param>
    /// <param name="w">Where the body goes.</param>
    /// <param name="forClaude">A Claude model behind Google (<see cref="RequestOverrides.GeminiForClaude"/>).</param>
    public static void Encode(IrRequest r, Utf8JsonWriter w, bool forClaude = false)
    {
        // Function responses need the function name; OpenAI tool messages only carry the call id.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in r.Messages)
        {
            foreach (var p in m.Parts)
            {
                if (p is IrToolCall c)
                {
                    names[c.Id] = c.Name;
                }
            }
        }

        bool needsSignature = r.Model?.Contains("gemini-3", StringComparison.OrdinalIgnoreCase) == true;

        w.WriteStartObject();
        w.WritePropertyName("contents"u8);
        w.WriteStartArray();
        var pending = new List<IrPart>();
        bool pendingModel = false;
        foreach (var m in r.Messages)
        {
            bool isModel = m.Role == IrRole.Assistant;
            if (pending.Count > 0 && isModel != pendingModel)
            {
                WriteContent(w, pendingModel, pending, names, needsSignature, forClaude);
                pending.Clear();
            }

            pendingModel = isModel;
            pending.AddRange(m.Parts);
        }

        if (pending.Count > 0)
        {
            WriteContent(w, pendingModel, pending, names, needsSignature, forClaude);
        }

        w.WriteEndArray();

        if (!r.System.IsDefaultOrEmpty)
        {
            w.WritePropertyName("systemInstruction"u8);
            w.WriteStartObject();
            w.WriteString("role"u8, "user"u8);
            w.WritePropertyName("parts"u8);
            w.WriteStartArray();
            foreach (var s in r.System)
            {
                w.WriteStartObject();
                w.WriteString("text"u8, s);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (!r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("tools"u8);
            w.WriteStartArray();
            w.WriteStartObject();
            w.WritePropertyName("functionDeclarations"u8);
            w.WriteStartArray();
            foreach (var t in r.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name"u8, t.Name);
                JsonWrite.StringIf(w, "description", t.Description);
                if (forClaude)
                {
                    // Claude behind Google reads only "parameters", parsed into Google's Schema subset.
                    w.WritePropertyName("parameters"u8);
                    GeminiClaudeSchema.Write(w, t.ParametersJson);
                }
                else
                {
                    // parametersJsonSchema takes full JSON Schema as-is; the OpenAPI-subset "parameters" would force a lossy rewrite.
                    w.WritePropertyName("parametersJsonSchema"u8);
                    JsonWrite.RawOrString(w, t.ParametersJson, OpenAIChat.OpenAIChatRequest.EmptySchema);
                }
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        if (r.ToolChoice is { } tc && !r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("toolConfig"u8);
            w.WriteStartObject();
            w.WritePropertyName("functionCallingConfig"u8);
            w.WriteStartObject();
            w.WriteString("mode"u8, tc.Kind switch
            {
                IrToolChoiceKind.None => "NONE",
                IrToolChoiceKind.Required or IrToolChoiceKind.Specific => "ANY",
                _ => "AUTO",
            });
            if (tc.Kind == IrToolChoiceKind.Specific)
            {
                w.WritePropertyName("allowedFunctionNames"u8);
                w.WriteStartArray();
                w.WriteStringValue(tc.Name);
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        WriteGenerationConfig(w, r.Params, r.Model, forClaude, thinking: !(forClaude && UnsignedToolTurn(r)));
        w.WriteEndObject();
    }

    /// <summary>
    /// The last assistant turn calls tools without the signed thinking it began with (an OpenAI client drops
    /// reasoning from its history): Claude refuses thinking for such a request ("a final assistant message must start
    /// with a thinking block"), so a Claude model gets it without thinking, as Anthropic advises.
    /// </summary>
    internal static bool UnsignedToolTurn(IrRequest r)
    {
        for (int i = r.Messages.Length - 1; i >= 0; i--)
        {
            var m = r.Messages[i];
            if (m.Role != IrRole.Assistant)
            {
                continue;
            }

            if (!m.Parts.Any(p => p is IrToolCall))
            {
                return false;
            }

            var first = m.Parts.FirstOrDefault(p => p is not IrText { Text.Length: 0 } && p is not IrReasoning { Text.Length: > 0, Signature: null });
            return first is not (IrReasoning { Signature: not null } or IrToolCall { Signature: not null });
        }

        return false;
    }

    private static void WriteGenerationConfig(Utf8JsonWriter w, IrGenerationParams p, string? model, bool forClaude, bool thinking = true)
    {
        w.WritePropertyName("generationConfig"u8);
        w.WriteStartObject();
        int? maxTokens = p.MaxTokens;
        if (forClaude && thinking && maxTokens is { } max && p.Reasoning is { } reasoning && ReasoningMap.Budget(reasoning) is { } budget and > 0 && budget >= max)
        {
            // Claude takes a thinking budget only below max_tokens: the answer keeps room above the budget.
            maxTokens = budget + ClaudeAnswerRoom;
        }

        JsonWrite.NumberIf(w, "maxOutputTokens", maxTokens);
        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "topP", p.TopP);
        JsonWrite.NumberIf(w, "topK", p.TopK);
        JsonWrite.StringArrayIf(w, "stopSequences", p.Stop);

        JsonWrite.NumberIf(w, "seed", p.Seed);
        if (p.ResponseFormat is { Kind: not IrResponseFormatKind.Text } rf)
        {
            w.WriteString("responseMimeType"u8, "application/json");
            if (rf.Kind == IrResponseFormatKind.JsonSchema && rf.SchemaJson is not null)
            {
                w.WritePropertyName("responseJsonSchema"u8);
                JsonWrite.RawOrString(w, rf.SchemaJson);
            }
        }

        if (p.Reasoning is { } rc && thinking)
        {
            WriteThinkingConfig(w, rc, model);
        }

        w.WriteEndObject();
    }

    private static void WriteThinkingConfig(Utf8JsonWriter w, IrReasoningConfig rc, string? model)
    {
        w.WritePropertyName("thinkingConfig"u8);
        w.WriteStartObject();
        int? budget = ReasoningMap.Budget(rc);
        if (rc.BudgetTokens is null && rc.Effort is { } effort && ThinkingLevel(effort, model) is { } level)
        {
            // Gemini 3 thinks in levels; a budget still works there but is documented as a fallback.
            w.WriteString("thinkingLevel"u8, level);
        }
        else if (budget is { } b)
        {
            w.WriteNumber("thinkingBudget"u8, b);
        }

        w.WriteBoolean("includeThoughts"u8, rc.IncludeThoughts ?? budget != 0);
        w.WriteEndObject();
    }

    /// <summary>A reasoning override on a Gemini body: <c>generationConfig.thinkingConfig</c> is replaced and every other
    /// field (safetySettings, cachedContent, labels, the rest of generationConfig) is copied as sent.</summary>
    public static IReadOnlyList<Internal.BodyEdit> ReasoningPatch(JsonElement request, IrReasoningConfig reasoning, string? model)
    {
        var gen = request.Obj("generationConfig"u8);
        return [new("generationConfig", w =>
        {
            w.WriteStartObject();
            if (gen is { } existing)
            {
                foreach (var p in existing.EnumerateObject())
                {
                    if (!p.NameEquals("thinkingConfig"u8))
                    {
                        p.WriteTo(w);
                    }
                }
            }

            WriteThinkingConfig(w, reasoning, model);
            w.WriteEndObject();
        })];
    }

    /// <summary>Effort → thinkingLevel for Gemini 3 models (Pro knows low/high, Flash also minimal/medium); null for
    /// older models, which take a budget.</summary>
    internal static string? ThinkingLevel(string effort, string? model)
    {
        if (model is null || !model.Contains("gemini-3", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        bool flash = model.Contains("flash", StringComparison.OrdinalIgnoreCase);
        return effort switch
        {
            "none" or "minimal" => flash ? "minimal" : "low",
            "low" => "low",
            "medium" => flash ? "medium" : "high",
            _ => "high",
        };
    }

    private static void WriteContent(Utf8JsonWriter w, bool isModel, List<IrPart> parts, Dictionary<string, string> names, bool needsSignature, bool forClaude)
    {
        w.WriteStartObject();
        w.WriteString("role"u8, isModel ? "model" : "user");
        w.WritePropertyName("parts"u8);
        w.WriteStartArray();
        string? pendingSig = null;
        bool firstCall = true;
        int written = 0;
        foreach (var part in parts)
        {
            switch (part)
            {
                case IrReasoning { Text.Length: 0, Signature: { } sig }:
                    pendingSig = sig;
                    break;
                case IrReasoning { Text.Length: > 0, Signature: null } when forClaude:
                    // Claude takes back only the thinking it signed ("thinking.signature: Field required").
                    break;
                case IrReasoning { Text.Length: > 0 } rsn when isModel:
                    w.WriteStartObject();
                    w.WriteString("text"u8, rsn.Text);
                    w.WriteBoolean("thought"u8, true);
                    JsonWrite.StringIf(w, "thoughtSignature", rsn.Signature);
                    w.WriteEndObject();
                    written++;
                    break;
                case IrText t:
                    w.WriteStartObject();
                    w.WriteString("text"u8, t.Text);
                    JsonWrite.StringIf(w, "thoughtSignature", pendingSig);
                    pendingSig = null;
                    w.WriteEndObject();
                    written++;
                    break;
                case IrImage img:
                    WriteImage(w, img);
                    written++;
                    break;
                case IrToolCall c:
                    GeminiResponse.WriteCallPart(w, c, c.Signature ?? pendingSig ?? (needsSignature && firstCall ? SkipSignature : null));
                    pendingSig = null;
                    firstCall = false;
                    written++;
                    break;
                case IrToolResult tr:
                    WriteFunctionResponse(w, tr, names);
                    written++;
                    // Images returned by a tool follow their functionResponse as ordinary parts.
                    foreach (var img in tr.Content.OfType<IrImage>())
                    {
                        WriteImage(w, img);
                    }

                    break;
                default:
                    break;
            }
        }

        if (written == 0)
        {
            // Gemini rejects a content without parts; an empty text keeps the turn structure.
            w.WriteStartObject();
            w.WriteString("text"u8, string.Empty);
            JsonWrite.StringIf(w, "thoughtSignature", pendingSig);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteFunctionResponse(Utf8JsonWriter w, IrToolResult tr, Dictionary<string, string> names)
    {
        w.WriteStartObject();
        w.WritePropertyName("functionResponse"u8);
        w.WriteStartObject();
        w.WriteString("id"u8, tr.ToolCallId);
        w.WriteString("name"u8, tr.Name ?? (names.TryGetValue(tr.ToolCallId, out var n) ? n : tr.ToolCallId));
        w.WritePropertyName("response"u8);
        string text = tr.JoinedText();
        if (!tr.IsError && JsonWrite.IsJsonObject(text))
        {
            w.WriteRawValue(text, skipInputValidation: true);
        }
        else
        {
            // response must be an object: wrap scalars/text the way the Gemini docs do.
            w.WriteStartObject();
            w.WriteString(tr.IsError ? "error" : "result", text);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter w, IrImage img)
    {
        w.WriteStartObject();
        if (img.Base64Data is not null)
        {
            w.WritePropertyName("inlineData"u8);
            w.WriteStartObject();
            w.WriteString("mimeType"u8, img.MediaType ?? "image/png");
            w.WriteString("data"u8, img.Base64Data);
        }
        else
        {
            w.WritePropertyName("fileData"u8);
            w.WriteStartObject();
            w.WriteString("mimeType"u8, img.MediaType ?? GuessMime(img.Url!));
            w.WriteString("fileUri"u8, img.Url);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string GuessMime(string url)
    {
        string path = url.Split('?', 2)[0];
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            ".pdf" => "application/pdf",
            _ => "image/jpeg",
        };
    }
}
