using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmMux.Translation.Tests.History;

/// <summary>
/// A client of one dialect keeping its conversation the way the real clients do: the assistant's answer appended as
/// it came (signatures, ids and all), then one tool result per call it asked for, in the dialect's own shape.
/// </summary>
internal sealed class ClientConversation
{
    private const string Tools = """[{"name":"run","description":"Runs a step.","schema":{"type":"object","properties":{"step":{"type":"integer"}}}}]""";

    private readonly JsonObject _body;
    private readonly JsonArray _history;

    public ClientConversation(Dialect dialect)
    {
        Dialect = dialect;
        var tool = JsonNode.Parse(Tools)![0]!;
        string name = tool["name"]!.GetValue<string>(), description = tool["description"]!.GetValue<string>();
        var schema = tool["schema"]!;
        (_body, _history) = dialect switch
        {
            Dialect.Anthropic => Make(h => new JsonObject
            {
                ["model"] = "claude-sonnet-4-5",
                ["max_tokens"] = 8000,
                ["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2048 },
                ["tools"] = new JsonArray(new JsonObject { ["name"] = name, ["description"] = description, ["input_schema"] = schema.DeepClone() }),
                ["messages"] = h,
            }),
            Dialect.OpenAIChat or Dialect.Ollama => Make(h => new JsonObject
            {
                ["model"] = "any-model",
                ["tools"] = new JsonArray(new JsonObject
                {
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = name, ["description"] = description, ["parameters"] = schema.DeepClone() },
                }),
                ["messages"] = h,
            }),
            Dialect.OpenAIResponses => Make(h => new JsonObject
            {
                ["model"] = "gpt-5-codex",
                ["store"] = false,
                ["reasoning"] = new JsonObject { ["effort"] = "high" },
                ["include"] = new JsonArray("reasoning.encrypted_content"),
                ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = name, ["description"] = description, ["parameters"] = schema.DeepClone() }),
                ["input"] = h,
            }),
            Dialect.Gemini or Dialect.GeminiCodeAssist => Make(h =>
            {
                var request = new JsonObject
                {
                    ["contents"] = h,
                    ["tools"] = new JsonArray(new JsonObject
                    {
                        ["functionDeclarations"] = new JsonArray(new JsonObject { ["name"] = name, ["description"] = description, ["parametersJsonSchema"] = schema.DeepClone() }),
                    }),
                    ["generationConfig"] = new JsonObject { ["thinkingConfig"] = new JsonObject { ["includeThoughts"] = true } },
                };
                return dialect == Dialect.Gemini ? request : new JsonObject { ["model"] = "gemini-3-pro-preview", ["project"] = "p", ["request"] = request };
            }),
            _ => throw new InvalidOperationException(dialect.ToString()),
        };
        if (dialect == Dialect.Ollama)
        {
            _body["stream"] = false;
            _body["think"] = true;
        }

        Say("Run the three steps, one tool call each.");
    }

    public Dialect Dialect { get; }

    public byte[] Body => JsonSerializer.SerializeToUtf8Bytes(_body);

    private static (JsonObject, JsonArray) Make(Func<JsonArray, JsonObject> build)
    {
        var history = new JsonArray();
        return (build(history), history);
    }

    private void Say(string text) => _history.Add(Dialect switch
    {
        Dialect.Gemini or Dialect.GeminiCodeAssist => new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) },
        Dialect.OpenAIResponses => new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }) },
        _ => new JsonObject { ["role"] = "user", ["content"] = text },
    });

    /// <summary>Appends the answer (in this client's dialect) as the client would; returns the calls it asked for and its text.</summary>
    public (List<(string Id, string Name)> Calls, string Text) Take(byte[] answer)
    {
        var root = JsonNode.Parse(answer)!.AsObject();
        var calls = new List<(string, string)>();
        var text = new System.Text.StringBuilder();
        switch (Dialect)
        {
            case Dialect.Anthropic:
                var content = root["content"]!.AsArray();
                foreach (var block in content)
                {
                    if ((string?)block!["type"] == "tool_use")
                    {
                        calls.Add(((string)block["id"]!, (string)block["name"]!));
                    }
                    else if ((string?)block["type"] == "text")
                    {
                        text.Append((string?)block["text"]);
                    }
                }

                _history.Add(new JsonObject { ["role"] = "assistant", ["content"] = content.DeepClone() });
                break;
            case Dialect.OpenAIChat:
            case Dialect.Ollama:
                var message = (Dialect == Dialect.Ollama ? root["message"] : root["choices"]![0]!["message"])!.AsObject();
                foreach (var call in message["tool_calls"]?.AsArray() ?? [])
                {
                    // Ollama's calls have no ids: the result names the tool instead.
                    calls.Add(((string?)call!["id"] ?? string.Empty, (string)call["function"]!["name"]!));
                }

                text.Append((string?)message["content"]);
                _history.Add(message.DeepClone());
                break;
            case Dialect.OpenAIResponses:
                foreach (var item in root["output"]!.AsArray())
                {
                    switch ((string?)item!["type"])
                    {
                        case "function_call":
                            calls.Add(((string)item["call_id"]!, (string)item["name"]!));
                            break;
                        case "message":
                            text.Append(string.Concat(item["content"]!.AsArray().Select(p => (string?)p!["text"])));
                            break;
                        default:
                            break;
                    }

                    // Codex with store=false replays the items without their ids.
                    var replay = item.DeepClone().AsObject();
                    replay.Remove("id");
                    replay.Remove("status");
                    _history.Add(replay);
                }

                break;
            default:
                var gemini = Dialect == Dialect.GeminiCodeAssist ? root["response"]! : root;
                var turn = gemini["candidates"]![0]!["content"]!.AsObject();
                foreach (var part in turn["parts"]!.AsArray())
                {
                    if (part!["functionCall"] is { } fc)
                    {
                        calls.Add(((string?)fc["id"] ?? string.Empty, (string)fc["name"]!));
                    }
                    else if (part["thought"] is null)
                    {
                        text.Append((string?)part["text"]);
                    }
                }

                _history.Add(turn.DeepClone());
                break;
        }

        return (calls, text.ToString());
    }

    /// <summary>The client ran the tools: one result per call, answering it by id (by name where the dialect has no ids).</summary>
    public void Answer(List<(string Id, string Name)> calls, string output)
    {
        switch (Dialect)
        {
            case Dialect.Anthropic:
                _history.Add(new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = c.Id, ["content"] = output })]),
                });
                break;
            case Dialect.OpenAIChat:
                foreach (var c in calls)
                {
                    _history.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = c.Id, ["content"] = output });
                }

                break;
            case Dialect.Ollama:
                foreach (var c in calls)
                {
                    _history.Add(new JsonObject { ["role"] = "tool", ["tool_name"] = c.Name, ["content"] = output });
                }

                break;
            case Dialect.OpenAIResponses:
                foreach (var c in calls)
                {
                    _history.Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = c.Id, ["output"] = output });
                }

                break;
            default:
                _history.Add(new JsonObject
                {
                    ["role"] = "user",
                    ["parts"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
                    {
                        ["functionResponse"] = c.Id.Length > 0
                            ? new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["response"] = new JsonObject { ["result"] = output } }
                            : new JsonObject { ["name"] = c.Name, ["response"] = new JsonObject { ["result"] = output } },
                    })]),
                });
                break;
        }
    }
}
