using System.Text.Json;

namespace LlmMux.Translation.Tests.History.Strict;

/// <summary>What <c>generateContent</c> refuses with a 400 (Gemini API; Code Assist wraps the same request), as far as
/// history is concerned: Gemini 3's thought-signature rule, function responses matching the calls, unknown fields.</summary>
internal static class GeminiRules
{
    public const string SkipSignature = "skip_thought_signature_validator";

    private static readonly string[] PartFields = ["text", "thought", "thoughtSignature", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult", "videoMetadata"];

    public static string? Reject(JsonElement body, IssuedSignatures issued, bool gemini3) => StrictRules.Check(() => Validate(body, issued, gemini3));

    /// <summary>Code Assist: <c>{model, project, request}</c> around the Gemini request.</summary>
    public static string? RejectCodeAssist(JsonElement body, IssuedSignatures issued, bool gemini3) => StrictRules.Check(() =>
    {
        body.OnlyKnown("body", "model", "project", "user_prompt_id", "request");
        body.Req("model", JsonValueKind.String, "body");
        body.Req("project", JsonValueKind.String, "body");
        Validate(body.Req("request", JsonValueKind.Object, "body"), issued, gemini3);
    });

    private static void Validate(JsonElement b, IssuedSignatures issued, bool gemini3)
    {
        var contents = b.Req("contents", JsonValueKind.Array, "request").EnumerateArray().ToList();
        List<string>? pendingCalls = null;
        for (int i = 0; i < contents.Count; i++)
        {
            var c = contents[i];
            string role = c.Str("role") ?? "user";
            if (role is not ("user" or "model"))
            {
                throw new Rejected($"* GenerateContentRequest.contents[{i}].role: Please use a valid role: user, model.");
            }

            var parts = c.Req("parts", JsonValueKind.Array, $"contents[{i}]").EnumerateArray().ToList();
            if (parts.Count == 0)
            {
                throw new Rejected($"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.");
            }

            var calls = new List<string>();
            var responses = new List<string>();
            bool firstCall = true;
            for (int j = 0; j < parts.Count; j++)
            {
                var p = parts[j];
                foreach (var field in p.EnumerateObject())
                {
                    if (Array.IndexOf(PartFields, field.Name) < 0)
                    {
                        throw new Rejected($"Invalid JSON payload received. Unknown name \"{field.Name}\" at 'contents[{i}].parts[{j}]': Cannot find field.");
                    }
                }

                if (p.Str("thoughtSignature") is { } sig && sig != SkipSignature && !issued.Verifies(sig))
                {
                    throw new Rejected($"Corrupted thought signature at contents[{i}].parts[{j}].");
                }

                if (p.Opt("functionCall") is { } fc)
                {
                    fc.OnlyKnown($"contents[{i}].parts[{j}].functionCall", "id", "name", "args");
                    string name = fc.Req("name", JsonValueKind.String, $"contents[{i}].parts[{j}].functionCall").GetString()!;
                    if (role != "model")
                    {
                        throw new Rejected($"contents[{i}]: a functionCall part must be in a model turn.");
                    }

                    if (gemini3 && firstCall && p.Str("thoughtSignature") is null)
                    {
                        throw new Rejected($"Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:{name}` , position {j + 1}.");
                    }

                    firstCall = false;
                    calls.Add(name);
                }

                if (p.Opt("functionResponse") is { } fr)
                {
                    fr.OnlyKnown($"contents[{i}].parts[{j}].functionResponse", "id", "name", "response");
                    responses.Add(fr.Req("name", JsonValueKind.String, $"contents[{i}].parts[{j}].functionResponse").GetString()!);
                    fr.Req("response", JsonValueKind.Object, $"contents[{i}].parts[{j}].functionResponse");
                }
            }

            if (responses.Count > 0 || pendingCalls is not null)
            {
                if (pendingCalls is null || responses.Count != pendingCalls.Count
                    || !responses.Order(StringComparer.Ordinal).SequenceEqual(pendingCalls.Order(StringComparer.Ordinal)))
                {
                    throw new Rejected("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
                }
            }

            if (calls.Count > 0 && (i == 0 || contents[i - 1].Str("role") == "model"))
            {
                throw new Rejected("Please ensure that function call turn comes immediately after a user turn or after a function response turn.");
            }

            pendingCalls = calls.Count > 0 ? calls : null;
        }
    }
}
