using System.Text.Json;

namespace LlmMux.Translation.Tests.History.Strict;

/// <summary>What <c>POST /v1/chat/completions</c> refuses with a 400, as far as history is concerned.</summary>
internal static class OpenAIChatRules
{
    private static readonly string[] UserParts = ["text", "image_url", "input_audio", "file"];
    private static readonly string[] AssistantParts = ["text", "refusal"];

    public static string? Reject(JsonElement body) => StrictRules.Check(() => Validate(body));

    private static void Validate(JsonElement b)
    {
        b.Req("model", JsonValueKind.String, "body");
        var list = b.Req("messages", JsonValueKind.Array, "body").EnumerateArray().ToList();
        var open = new List<string>(); // calls of the last assistant turn still waiting for their tool message
        int openedAt = -1;
        for (int i = 0; i < list.Count; i++)
        {
            var m = list[i];
            string role = m.Str("role") ?? throw new Rejected($"Missing required parameter: 'messages[{i}].role'.");
            if (role != "tool" && open.Count > 0)
            {
                throw new Rejected($"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {string.Join(", ", open)}");
            }

            switch (role)
            {
                case "system":
                case "developer":
                case "user":
                    Parts(m, i, role == "user" ? UserParts : ["text"]);
                    openedAt = -1;
                    break;
                case "assistant":
                    Parts(m, i, AssistantParts);
                    if (m.Opt("tool_calls") is { } calls)
                    {
                        int k = 0;
                        foreach (var call in calls.EnumerateArray())
                        {
                            string id = call.Req("id", JsonValueKind.String, $"messages[{i}].tool_calls[{k}]").GetString()!;
                            if (id.Length > 40)
                            {
                                throw new Rejected($"Invalid 'messages[{i}].tool_calls[{k}].id': string too long. Expected a string with maximum length 40, but got a string with length {id.Length} instead.");
                            }

                            if (call.Str("type") != "function")
                            {
                                throw new Rejected($"Missing required parameter: 'messages[{i}].tool_calls[{k}].type'.");
                            }

                            var f = call.Req("function", JsonValueKind.Object, $"messages[{i}].tool_calls[{k}]");
                            f.Req("name", JsonValueKind.String, $"messages[{i}].tool_calls[{k}].function");
                            f.Req("arguments", JsonValueKind.String, $"messages[{i}].tool_calls[{k}].function");
                            open.Add(id);
                            k++;
                        }
                    }

                    openedAt = open.Count > 0 ? i : -1;
                    break;
                case "tool":
                    string callId = m.Req("tool_call_id", JsonValueKind.String, $"messages[{i}]").GetString()!;
                    if (openedAt < 0 || !open.Remove(callId))
                    {
                        throw new Rejected($"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
                    }

                    Parts(m, i, ["text"]);
                    break;
                default:
                    throw new Rejected($"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.");
            }
        }
    }

    private static void Parts(JsonElement m, int i, string[] allowed)
    {
        if (m.Opt("content") is not { ValueKind: JsonValueKind.Array } content)
        {
            return;
        }

        int j = 0;
        foreach (var part in content.EnumerateArray())
        {
            string? type = part.Str("type");
            if (type is null || Array.IndexOf(allowed, type) < 0)
            {
                throw new Rejected($"Invalid value: '{type}'. Supported values are: {string.Join(", ", allowed.Select(a => $"'{a}'"))}. (messages[{i}].content[{j}].type)");
            }

            j++;
        }
    }
}
