using System.Text.Json;

namespace LlmMux.Translation.Tests.History.Strict;

/// <summary>What <c>POST /v1/responses</c> (and the Codex backend) refuses with a 400, as far as input items are concerned.</summary>
internal static class ResponsesRules
{
    private static readonly string[] Items = ["message", "function_call", "function_call_output", "reasoning", "item_reference"];

    public static string? Reject(JsonElement body, IssuedSignatures issued) => StrictRules.Check(() => Validate(body, issued));

    private static void Validate(JsonElement b, IssuedSignatures issued)
    {
        b.Req("model", JsonValueKind.String, "body");
        if (b.Opt("input") is not { ValueKind: JsonValueKind.Array } input)
        {
            return;
        }

        var calls = new List<string>();
        var outputs = new List<string>();
        int i = 0;
        foreach (var item in input.EnumerateArray())
        {
            string type = item.Str("type") ?? (item.Opt("role") is not null ? "message" : throw new Rejected($"Missing required parameter: 'input[{i}].type'."));
            if (Array.IndexOf(Items, type) < 0)
            {
                throw new Rejected($"Invalid value: '{type}'. Supported values are: {string.Join(", ", Items.Select(x => $"'{x}'"))}. (input[{i}].type)");
            }

            switch (type)
            {
                case "function_call":
                    if (item.Str("id") is { } fcId && !fcId.StartsWith("fc", StringComparison.Ordinal))
                    {
                        throw new Rejected($"Invalid 'input[{i}].id': '{fcId}'. Expected an ID that begins with 'fc'.");
                    }

                    calls.Add(item.Req("call_id", JsonValueKind.String, $"input[{i}]").GetString()!);
                    item.Req("name", JsonValueKind.String, $"input[{i}]");
                    item.Req("arguments", JsonValueKind.String, $"input[{i}]");
                    break;
                case "function_call_output":
                    string callId = item.Req("call_id", JsonValueKind.String, $"input[{i}]").GetString()!;
                    if (!calls.Contains(callId))
                    {
                        throw new Rejected($"No tool call found for function call output with call_id {callId}.");
                    }

                    outputs.Add(callId);
                    break;
                case "reasoning":
                    item.Req("summary", JsonValueKind.Array, $"input[{i}]");
                    if (item.Str("id") is { } rsId && !rsId.StartsWith("rs", StringComparison.Ordinal))
                    {
                        throw new Rejected($"Invalid 'input[{i}].id': '{rsId}'. Expected an ID that begins with 'rs'.");
                    }

                    if (item.Opt("encrypted_content") is { } enc && !issued.Verifies(enc.GetString()))
                    {
                        throw new Rejected($"The encrypted content for item input[{i}] could not be verified.");
                    }

                    break;
                case "message":
                    string role = item.Str("role") ?? throw new Rejected($"Missing required parameter: 'input[{i}].role'.");
                    if (item.Opt("content") is { ValueKind: JsonValueKind.Array } parts)
                    {
                        string[] allowed = role == "assistant" ? ["output_text", "refusal"] : ["input_text", "input_image", "input_file"];
                        foreach (var part in parts.EnumerateArray())
                        {
                            if (Array.IndexOf(allowed, part.Str("type")) < 0)
                            {
                                throw new Rejected($"Invalid value: '{part.Str("type")}'. Supported values are: {string.Join(", ", allowed.Select(x => $"'{x}'"))}. (input[{i}].content)");
                            }
                        }
                    }

                    break;
                default:
                    break;
            }

            i++;
        }

        foreach (var call in calls.Where(c => !outputs.Contains(c)))
        {
            throw new Rejected($"No tool output found for function call {call}.");
        }
    }
}
