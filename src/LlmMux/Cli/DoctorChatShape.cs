using System.Text.Json;
using static LlmMux.Cli.DoctorClientShapes;
using static LlmMux.Cli.DoctorJson;

namespace LlmMux.Cli;

/// <summary>OpenAI Chat Completions as the SDK sends them: a stream with usage, a tool call without one.</summary>
internal static class DoctorChatShape
{
    private const string Tool = $$$"""{"type":"function","function":{"name":"{{{WeatherTool}}}","description":"{{{WeatherDescription}}}","parameters":{{{FunctionSchema}}}}}""";
    private const string Asked = $$"""{"role":"user","content":"{{Question}}"}""";
    private const string MadeUpCall = $$$"""{"role":"assistant","content":null,"tool_calls":[{"id":"call_doctor","type":"function","function":{"name":"{{{WeatherTool}}}","arguments":"{\"city\":\"Paris\"}"}}]}""";

    public static DoctorClientShape Create(IReadOnlyList<(string, string)> headers) => new(
        "/v1/models",
        headers,
        body => FirstId(body, "data", "id"),
        model => ("/v1/chat/completions", $$"""{"model":{{Q(model)}},"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":{{Q(Prompt)}}}]}"""),
        "[DONE]",
        model => ("/v1/chat/completions", $$"""{"model":{{Q(model)}},"tools":[{{Tool}}],"messages":[{{Asked}}]}"""),
        CalledTool,
        // The SDK's own examples push the answer's message back as it came, then one tool message per call.
        (model, call) => ("/v1/chat/completions", $$"""{"model":{{Q(model)}},"tools":[{{Tool}}],"messages":[{{Asked}},{{call?.Echo ?? MadeUpCall}},{"role":"tool","tool_call_id":{{Q(call?.Id ?? "call_doctor")}},"content":"{{WeatherResult}}"}]}"""),
        _ => null,
        "");

    private static DoctorToolCall? CalledTool(string body) => Find(body, roots =>
    {
        var message = roots.SelectMany(r => Items(r, "choices")).Select(c => Get(c, "message")).FirstOrDefault(m => m.ValueKind == JsonValueKind.Object);
        return Items(message, "tool_calls").FirstOrDefault() is { ValueKind: JsonValueKind.Object } call
            ? new DoctorToolCall(Str(call, "id"), Str(Get(call, "function"), "name") ?? WeatherTool, message.GetRawText())
            : null;
    });
}
