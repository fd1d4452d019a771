using System.Text.Json;
using static LlmMux.Cli.DoctorClientShapes;
using static LlmMux.Cli.DoctorJson;

namespace LlmMux.Cli;

/// <summary>
/// The Responses API as Codex sends it: every request streams, with <c>store: false</c>, its instructions as a
/// <c>developer</c> input message, its tools, reasoning summaries and the session as <c>prompt_cache_key</c>; the items
/// the model streamed are replayed as they came, followed by the tool's output.
/// </summary>
internal static class DoctorResponsesShape
{
    private const string Tool = $$"""{"type":"function","name":"{{WeatherTool}}","description":"{{WeatherDescription}}","strict":false,"parameters":{{FunctionSchema}}}""";
    private const string Instructions = """{"type":"message","role":"developer","content":[{"type":"input_text","text":"You are a coding agent running in the Codex CLI."}]}""";
    private const string Asked = $$"""{"type":"message","role":"user","content":[{"type":"input_text","text":"{{Question}}"}]}""";
    private const string MadeUpCall = $$"""{"type":"function_call","call_id":"call_doctor","name":"{{WeatherTool}}","arguments":"{\"city\":\"Paris\"}"}""";

    public static DoctorClientShape Create(IReadOnlyList<(string, string)> headers, string session) => new(
        "/v1/models",
        headers,
        body => FirstId(body, "data", "id") ?? FirstId(body, "models", "slug"),
        model => ("/v1/responses", Body(model, session, $$"""{"type":"message","role":"user","content":[{"type":"input_text","text":{{Q(Prompt)}}}]}""")),
        "response.completed",
        model => ("/v1/responses", Body(model, session, Asked)),
        CalledTool,
        (model, call) => ("/v1/responses", Body(
            model, session, $$"""{{Asked}},{{call?.Echo ?? MadeUpCall}},{"type":"function_call_output","call_id":{{Q(call?.Id ?? "call_doctor")}},"output":"{{WeatherResult}}"}""")),
        _ => null,
        "");

    private static string Body(string model, string session, string input) =>
        $$$"""{"model":{{{Q(model)}}},"stream":true,"input":[{{{Instructions}}},{{{input}}}],"tools":[{{{Tool}}}],"tool_choice":"auto","parallel_tool_calls":true,"reasoning":{"summary":"auto"},"store":false,"include":["reasoning.encrypted_content"],"prompt_cache_key":{{{Q(session)}}},"client_metadata":{"session_id":{{{Q(session)}}},"thread_id":{{{Q(session)}}}}}""";

    /// <summary>The output items as Codex keeps them (each <c>response.output_item.done</c>, else the completed
    /// response's output) when one is a <c>function_call</c>.</summary>
    private static DoctorToolCall? CalledTool(string body) => Find(body, roots =>
    {
        var items = roots.Where(r => Str(r, "type") == "response.output_item.done").Select(r => Get(r, "item")).ToList();
        if (items.Count == 0)
        {
            items = [.. roots.SelectMany(r => Str(r, "type") == "response.completed" ? Items(Get(r, "response"), "output") : Items(r, "output"))];
        }

        return items.FirstOrDefault(i => Str(i, "type") == "function_call") is { ValueKind: JsonValueKind.Object } call
            ? new DoctorToolCall(Str(call, "call_id"), Str(call, "name") ?? WeatherTool, string.Join(',', items.Select(i => i.GetRawText())))
            : null;
    });
}
