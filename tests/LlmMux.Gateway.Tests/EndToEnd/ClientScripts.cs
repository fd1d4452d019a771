using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmMux.Gateway.Tests.EndToEnd;

/// <summary>What a client made of one answer: its text and, if any, the tool call it was asked to make.</summary>
internal sealed record ClientResult(string Text, string? ToolId, string? ToolName, string? ToolArgs);

/// <summary>
/// One inbound dialect as a client speaks it: the two turns of the tool round trip, and how to read answers
/// (whole bodies and streams) the way that dialect's SDKs do.
/// </summary>
internal abstract class ClientScript
{
    protected const string Schema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    public abstract string Name { get; }

    public abstract HttpRequestMessage FirstTurn(bool stream);

    public abstract HttpRequestMessage SecondTurn(bool stream, ClientResult toolCall);

    public ClientResult Read(string body, bool stream) => stream ? ReadStream(body) : ReadBody(JsonNode.Parse(body)!);

    protected abstract ClientResult ReadBody(JsonNode body);

    protected abstract ClientResult ReadStream(string body);

    protected static HttpRequestMessage Post(string path, string json) => new(HttpMethod.Post, path)
    {
        Content = new StringContent(json, Encoding.UTF8, "application/json"),
    };

    /// <summary>The data of each SSE event, in order.</summary>
    protected static IEnumerable<JsonNode> SseData(string body)
        => body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim())
            .Where(d => d.Length > 0 && d != "[DONE]").Select(d => JsonNode.Parse(d)!);

    public override string ToString() => Name;
}

internal sealed class OpenAIChatClient : ClientScript
{
    public override string Name => "openai-chat";

    public override HttpRequestMessage FirstTurn(bool stream) => Post("/v1/chat/completions", $$$"""
        {"model":"m","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"Weather in Paris?"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather","parameters":{{{Schema}}}}}]}
        """);

    public override HttpRequestMessage SecondTurn(bool stream, ClientResult call) => Post("/v1/chat/completions", $$$"""
        {"model":"m","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"Weather in Paris?"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"{{{call.ToolId}}}","type":"function","function":{"name":"get_weather","arguments":{{{JsonSerializer.Serialize(call.ToolArgs)}}}}}]},
         {"role":"tool","tool_call_id":"{{{call.ToolId}}}","content":"18C and sunny"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather","parameters":{{{Schema}}}}}]}
        """);

    protected override ClientResult ReadBody(JsonNode body)
    {
        var message = body["choices"]![0]!["message"]!;
        var call = message["tool_calls"]?[0];
        return new(message["content"]?.GetValue<string>() ?? "", call?["id"]?.GetValue<string>(), call?["function"]?["name"]?.GetValue<string>(), call?["function"]?["arguments"]?.GetValue<string>());
    }

    protected override ClientResult ReadStream(string body)
    {
        var text = new StringBuilder();
        var args = new StringBuilder();
        string? id = null, name = null;
        foreach (var chunk in SseData(body))
        {
            if (chunk["choices"] is not JsonArray { Count: > 0 } choices)
            {
                continue;
            }

            var delta = choices[0]!["delta"];
            text.Append(delta?["content"]?.GetValue<string>());
            if (delta?["tool_calls"]?[0] is { } call)
            {
                id ??= call["id"]?.GetValue<string>();
                name ??= call["function"]?["name"]?.GetValue<string>();
                args.Append(call["function"]?["arguments"]?.GetValue<string>());
            }
        }

        return new(text.ToString(), id, name, name is null ? null : args.ToString());
    }
}

internal sealed class AnthropicClient : ClientScript
{
    public override string Name => "anthropic";

    public override HttpRequestMessage FirstTurn(bool stream) => Post("/v1/messages", $$$"""
        {"model":"m","max_tokens":256,"stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"Weather in Paris?"}],
         "tools":[{"name":"get_weather","description":"Get weather","input_schema":{{{Schema}}}}]}
        """);

    public override HttpRequestMessage SecondTurn(bool stream, ClientResult call) => Post("/v1/messages", $$$"""
        {"model":"m","max_tokens":256,"stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"Weather in Paris?"},
         {"role":"assistant","content":[{"type":"tool_use","id":"{{{call.ToolId}}}","name":"get_weather","input":{{{call.ToolArgs}}}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"{{{call.ToolId}}}","content":"18C and sunny"}]}],
         "tools":[{"name":"get_weather","description":"Get weather","input_schema":{{{Schema}}}}]}
        """);

    protected override ClientResult ReadBody(JsonNode body)
    {
        var blocks = body["content"]!.AsArray();
        var text = string.Concat(blocks.Where(b => b!["type"]!.GetValue<string>() == "text").Select(b => b!["text"]!.GetValue<string>()));
        var tool = blocks.FirstOrDefault(b => b!["type"]!.GetValue<string>() == "tool_use");
        return new(text, tool?["id"]?.GetValue<string>(), tool?["name"]?.GetValue<string>(), tool?["input"]?.ToJsonString());
    }

    protected override ClientResult ReadStream(string body)
    {
        var text = new StringBuilder();
        var args = new StringBuilder();
        string? id = null, name = null;
        foreach (var e in SseData(body))
        {
            switch (e["type"]!.GetValue<string>())
            {
                case "content_block_start" when e["content_block"]!["type"]!.GetValue<string>() == "tool_use":
                    id = e["content_block"]!["id"]!.GetValue<string>();
                    name = e["content_block"]!["name"]!.GetValue<string>();
                    break;
                case "content_block_delta" when e["delta"]!["type"]!.GetValue<string>() == "text_delta":
                    text.Append(e["delta"]!["text"]!.GetValue<string>());
                    break;
                case "content_block_delta" when e["delta"]!["type"]!.GetValue<string>() == "input_json_delta":
                    args.Append(e["delta"]!["partial_json"]!.GetValue<string>());
                    break;
            }
        }

        return new(text.ToString(), id, name, name is null ? null : args.ToString());
    }
}

internal sealed class GeminiClient : ClientScript
{
    public override string Name => "gemini";

    public override HttpRequestMessage FirstTurn(bool stream) => Post(Path(stream), $$$"""
        {"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]}],
         "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Get weather","parameters":{{{Schema}}}}]}]}
        """);

    public override HttpRequestMessage SecondTurn(bool stream, ClientResult call) => Post(Path(stream), $$$"""
        {"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]},
         {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{{{call.ToolArgs}}}}}]},
         {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"18C and sunny"} } }]}],
         "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Get weather","parameters":{{{Schema}}}}]}]}
        """);

    private static string Path(bool stream) => stream ? "/v1beta/models/m:streamGenerateContent?alt=sse" : "/v1beta/models/m:generateContent";

    protected override ClientResult ReadBody(JsonNode body) => Collect([body]);

    protected override ClientResult ReadStream(string body) => Collect(SseData(body));

    private static ClientResult Collect(IEnumerable<JsonNode> responses)
    {
        var text = new StringBuilder();
        string? name = null, args = null;
        foreach (var response in responses)
        {
            foreach (var part in response["candidates"]?[0]?["content"]?["parts"]?.AsArray() ?? [])
            {
                text.Append(part!["text"]?.GetValue<string>());
                if (part["functionCall"] is { } call)
                {
                    name = call["name"]!.GetValue<string>();
                    args = call["args"]!.ToJsonString();
                }
            }
        }

        return new(text.ToString(), null, name, args);
    }
}

internal sealed class OllamaClient : ClientScript
{
    public override string Name => "ollama";

    public override HttpRequestMessage FirstTurn(bool stream) => Post("/api/chat", $$$"""
        {"model":"m","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"Weather in Paris?"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather","parameters":{{{Schema}}}}}]}
        """);

    public override HttpRequestMessage SecondTurn(bool stream, ClientResult call) => Post("/api/chat", $$$"""
        {"model":"m","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"Weather in Paris?"},
         {"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{{{call.ToolArgs}}}}}]},
         {"role":"tool","tool_name":"get_weather","content":"18C and sunny"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather","parameters":{{{Schema}}}}}]}
        """);

    protected override ClientResult ReadBody(JsonNode body) => Collect([body]);

    protected override ClientResult ReadStream(string body)
        => Collect(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!));

    private static ClientResult Collect(IEnumerable<JsonNode> objects)
    {
        var text = new StringBuilder();
        string? name = null, args = null;
        foreach (var o in objects)
        {
            text.Append(o["message"]?["content"]?.GetValue<string>());
            if (o["message"]?["tool_calls"]?[0]?["function"] is { } call)
            {
                name = call["name"]!.GetValue<string>();
                args = call["arguments"]!.ToJsonString();
            }
        }

        return new(text.ToString(), null, name, args);
    }
}

internal sealed class OpenAIResponsesClient : ClientScript
{
    private const string Tools = """[{"type":"function","name":"get_weather","description":"Get weather","parameters":""" + Schema + "}]";

    public override string Name => "openai-responses";

    public override HttpRequestMessage FirstTurn(bool stream) => Post("/v1/responses", $$$"""
        {"model":"m","stream":{{{(stream ? "true" : "false")}}},"input":[{"role":"user","content":"Weather in Paris?"}],"tools":{{{Tools}}}}
        """);

    public override HttpRequestMessage SecondTurn(bool stream, ClientResult call) => Post("/v1/responses", $$$"""
        {"model":"m","stream":{{{(stream ? "true" : "false")}}},"input":[{"role":"user","content":"Weather in Paris?"},
         {"type":"function_call","call_id":"{{{call.ToolId}}}","name":"get_weather","arguments":{{{JsonSerializer.Serialize(call.ToolArgs)}}}},
         {"type":"function_call_output","call_id":"{{{call.ToolId}}}","output":"18C and sunny"}],"tools":{{{Tools}}}}
        """);

    protected override ClientResult ReadBody(JsonNode body)
    {
        var text = new StringBuilder();
        string? id = null, name = null, args = null;
        foreach (var item in body["output"]!.AsArray())
        {
            switch (item!["type"]!.GetValue<string>())
            {
                case "message":
                    foreach (var part in item["content"]!.AsArray())
                    {
                        text.Append(part!["text"]?.GetValue<string>());
                    }

                    break;
                case "function_call":
                    (id, name, args) = (item["call_id"]!.GetValue<string>(), item["name"]!.GetValue<string>(), item["arguments"]!.GetValue<string>());
                    break;
            }
        }

        return new(text.ToString(), id, name, args);
    }

    protected override ClientResult ReadStream(string body)
    {
        var text = new StringBuilder();
        var args = new StringBuilder();
        string? id = null, name = null;
        foreach (var e in SseData(body))
        {
            switch (e["type"]!.GetValue<string>())
            {
                case "response.output_item.added" when e["item"]!["type"]!.GetValue<string>() == "function_call":
                    id = e["item"]!["call_id"]!.GetValue<string>();
                    name = e["item"]!["name"]!.GetValue<string>();
                    break;
                case "response.output_text.delta":
                    text.Append(e["delta"]!.GetValue<string>());
                    break;
                case "response.function_call_arguments.delta":
                    args.Append(e["delta"]!.GetValue<string>());
                    break;
            }
        }

        return new(text.ToString(), id, name, name is null ? null : args.ToString());
    }
}
