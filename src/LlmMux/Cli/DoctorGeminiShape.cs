using System.Text.Json;
using static LlmMux.Cli.DoctorClientShapes;
using static LlmMux.Cli.DoctorJson;

namespace LlmMux.Cli;

/// <summary>
/// The Gemini API as Gemini CLI (API-key mode) sends it: every turn on <c>:streamGenerateContent?alt=sse</c> with a
/// system instruction, its tools declared by <c>parametersJsonSchema</c> and its generation config; the model's
/// function-call parts are replayed as they came (a thought signature with them), the response names the call's id.
/// </summary>
internal static class DoctorGeminiShape
{
    private const string Tool = $$"""{"functionDeclarations":[{"name":"{{WeatherTool}}","description":"{{WeatherDescription}}","parametersJsonSchema":{{FunctionSchema}}}]}""";
    private const string Asked = $$"""{"role":"user","parts":[{"text":"{{Question}}"}]}""";
    private const string MadeUpCall = $$$"""{"functionCall":{"name":"{{{WeatherTool}}}","args":{{{WeatherArguments}}}}}""";

    public static DoctorClientShape Create(IReadOnlyList<(string, string)> headers) => new(
        "/v1beta/models",
        headers,
        body => FirstId(body, "models", "name") is { } name ? (name.StartsWith("models/", StringComparison.Ordinal) ? name["models/".Length..] : name) : null,
        model => (Stream(model), Body(model, $$"""{"role":"user","parts":[{"text":{{Q(Prompt)}}}]}""")),
        "finishReason",
        model => (Stream(model), Body(model, Asked)),
        CalledTool,
        (model, call) => (Stream(model), Body(
            model,
            $$$"""{{{Asked}}},{"role":"model","parts":[{{{call?.Echo ?? MadeUpCall}}}]},{"role":"user","parts":[{"functionResponse":{"name":{{{Q(call?.Name ?? WeatherTool)}}},"response":{"output":"{{{WeatherResult}}}"}{{{(call?.Id is { } id ? ",\"id\":" + Q(id) : "")}}}}}]}""")),
        model => ($"/v1beta/models/{Uri.EscapeDataString(model)}:countTokens", $$"""{"contents":[{"role":"user","parts":[{"text":{{Q(Prompt)}}}]}]}"""),
        "totalTokens");

    private static string Stream(string model) => $"/v1beta/models/{Uri.EscapeDataString(model)}:streamGenerateContent?alt=sse";

    private static string Body(string model, string contents) =>
        $$$"""{"contents":[{{{contents}}}],"systemInstruction":{"parts":[{"text":"You are an interactive CLI agent."}]},"tools":[{{{Tool}}}],"generationConfig":{"temperature":1,"topP":0.95,"topK":64,"thinkingConfig":{{{Thinking(model)}}}}}""";

    /// <summary>Gemini CLI's model configs: a thinking budget for 2.5 models, a thinking level for 3, thoughts only otherwise.</summary>
    private static string Thinking(string model) =>
        model.StartsWith("gemini-3", StringComparison.Ordinal) ? """{"includeThoughts":true,"thinkingLevel":"HIGH"}"""
        : model.StartsWith("gemini-2.5", StringComparison.Ordinal) ? """{"includeThoughts":true,"thinkingBudget":8192}"""
        : """{"includeThoughts":true}""";

    /// <summary>The first function-call part the stream's chunks carried, as it came: one call, one response.</summary>
    private static DoctorToolCall? CalledTool(string body) => Find(body, roots =>
    {
        var parts = roots.SelectMany(r => Items(r, "candidates").Take(1)).SelectMany(c => Items(Get(c, "content"), "parts"))
            .Where(p => Get(p, "functionCall").ValueKind == JsonValueKind.Object)
            .ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        var call = Get(parts[0], "functionCall");
        return new DoctorToolCall(Str(call, "id"), Str(call, "name") ?? WeatherTool, parts[0].GetRawText());
    });
}
