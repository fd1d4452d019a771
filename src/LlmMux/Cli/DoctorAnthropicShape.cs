using System.Text;
using System.Text.Json;
using static LlmMux.Cli.DoctorClientShapes;
using static LlmMux.Cli.DoctorJson;

namespace LlmMux.Cli;

/// <summary>Anthropic Messages as Claude Code (<c>?beta=true</c>, everything streamed) and the SDK send them.</summary>
internal static class DoctorAnthropicShape
{
    private const string Tool = $$"""{"name":"{{WeatherTool}}","description":"{{WeatherDescription}}","input_schema":{{FunctionSchema}}}""";
    private const string Asked = $$"""{"role":"user","content":"{{Question}}"}""";
    private const string MadeUpCall = $$"""[{"type":"tool_use","id":"toolu_doctor","name":"{{WeatherTool}}","input":{{WeatherArguments}}}]""";

    public static DoctorClientShape Create(IReadOnlyList<(string, string)> headers, string discoveryPath, string query, bool streamsTools) => new(
        discoveryPath,
        headers,
        body => FirstId(body, "data", "id"),
        model => ("/v1/messages" + query, Body(model, 32, stream: true, tools: false, $$"""{"role":"user","content":{{Q(Prompt)}}}""")),
        "message_stop",
        model => ("/v1/messages" + query, Body(model, 256, streamsTools, tools: true, Asked)),
        CalledTool,
        (model, call) => ("/v1/messages" + query, Body(
            model, 256, streamsTools, tools: true,
            $$"""{{Asked}},{"role":"assistant","content":{{call?.Echo ?? MadeUpCall}}},{"role":"user","content":[{"type":"tool_result","tool_use_id":{{Q(call?.Id ?? "toolu_doctor")}},"content":"{{WeatherResult}}"}]}""")),
        model => ("/v1/messages/count_tokens" + query, $$"""{"model":{{Q(model)}},"messages":[{"role":"user","content":{{Q(Prompt)}}}]}"""),
        "input_tokens");

    private static string Body(string model, int maxTokens, bool stream, bool tools, string messages) =>
        $$"""{"model":{{Q(model)}},"max_tokens":{{maxTokens}},{{(stream ? "\"stream\":true," : "")}}{{(tools ? $"\"tools\":[{Tool}]," : "")}}"messages":[{{messages}}]}""";

    /// <summary>The first <c>tool_use</c> block: of the message, or assembled from a stream's block start and its
    /// <c>input_json_delta</c> pieces, as the SDKs' stream helpers assemble it.</summary>
    private static DoctorToolCall? CalledTool(string body) => Find(body, roots =>
    {
        if (roots.FirstOrDefault(r => Str(r, "type") == "message") is { ValueKind: JsonValueKind.Object } message)
        {
            var content = Get(message, "content");
            return Items(message, "content").FirstOrDefault(b => Str(b, "type") == "tool_use") is { ValueKind: JsonValueKind.Object } use
                ? new DoctorToolCall(Str(use, "id"), Str(use, "name") ?? WeatherTool, content.GetRawText())
                : null;
        }

        string? id = null, name = null;
        var index = -1;
        var input = new StringBuilder();
        foreach (var e in roots)
        {
            var at = Get(e, "index") is { ValueKind: JsonValueKind.Number } i && i.TryGetInt32(out var n) ? n : -2;
            if (id is null && Str(e, "type") == "content_block_start" && Str(Get(e, "content_block"), "type") == "tool_use")
            {
                (id, name, index) = (Str(Get(e, "content_block"), "id"), Str(Get(e, "content_block"), "name"), at);
            }
            else if (id is not null && at == index && Str(e, "type") == "content_block_delta" && Str(Get(e, "delta"), "type") == "input_json_delta")
            {
                input.Append(Str(Get(e, "delta"), "partial_json"));
            }
        }

        var args = IsObject(input.ToString()) ? input.ToString() : "{}";
        return id is null ? null
            : new DoctorToolCall(id, name ?? WeatherTool, $$"""[{"type":"tool_use","id":{{Q(id)}},"name":{{Q(name ?? WeatherTool)}},"input":{{args}}}]""");
    });
}
