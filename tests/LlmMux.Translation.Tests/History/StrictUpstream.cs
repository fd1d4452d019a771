using System.Text.Json;
using LlmMux.Translation.Tests.History.Strict;

namespace LlmMux.Translation.Tests.History;

/// <summary>
/// One provider type of the gateway as the replay test meets it: its wire dialect, a model, and a fake of its API that
/// validates every request like the real one (<see cref="Strict"/>) and answers each turn with signed thinking, a
/// sentence and one tool call in that API's own shape, ids and signatures included.
/// </summary>
internal sealed class StrictUpstream
{
    private StrictUpstream(string type, Dialect dialect, string model, string family, Func<int, string> callId)
    {
        Type = type;
        Dialect = dialect;
        Model = model;
        Issued = new IssuedSignatures(family);
        CallId = callId;
    }

    public string Type { get; }

    public Dialect Dialect { get; }

    public string Model { get; }

    /// <summary>Signatures are verified per API, not per provider type: <c>anthropic</c> and <c>claude</c> are one API.</summary>
    public IssuedSignatures Issued { get; private init; }

    private Func<int, string> CallId { get; }

    /// <summary>The seven provider types, each with fresh signature books (shared by the types of one API).</summary>
    public static IReadOnlyList<StrictUpstream> All()
    {
        var anthropic = new IssuedSignatures("anthropic");
        var chat = new IssuedSignatures("openai-chat");
        return
        [
            new("anthropic", Dialect.Anthropic, "claude-sonnet-4-5", "anthropic", t => $"toolu_01A{t}bcDEf") { Issued = anthropic },
            // Claude seats through some gateways mint long ids; OpenAI Chat takes at most 40 characters.
            new("claude", Dialect.Anthropic, "claude-opus-4-5", "anthropic", t => $"toolu_01{t}xVwq8sNf3LmRzYp2KdEa7TbQcHjUgWo5") { Issued = anthropic },
            new("openai", Dialect.OpenAIChat, "gpt-5", "openai-chat", t => $"call_{t}Xk2Lm9Qa7Rb") { Issued = chat },
            // Kimi- and Copilot-style ids carry dots and colons, which Anthropic refuses.
            new("copilot", Dialect.OpenAIChat, "gpt-4.1", "openai-chat", t => $"functions.run:{t}") { Issued = chat },
            new("codex", Dialect.OpenAIResponses, "gpt-5-codex", "responses", t => $"call_r{t}Pq8Zt4Wn2Vs6"),
            new("gemini-api", Dialect.Gemini, "gemini-3-pro-preview", "gemini", _ => string.Empty),
            new("code-assist", Dialect.GeminiCodeAssist, "gemini-3-flash-preview", "code-assist", _ => string.Empty),
        ];
    }

    public override string ToString() => Type;

    /// <summary>The API's verdict on a request body: null when accepted, else the 400's message.</summary>
    public string? Reject(ReadOnlySpan<byte> body)
    {
        using var doc = JsonDocument.Parse(body.ToArray());
        var root = doc.RootElement;
        return Dialect switch
        {
            Dialect.Anthropic => AnthropicMessagesRules.Reject(root, Issued),
            Dialect.OpenAIChat => OpenAIChatRules.Reject(root),
            Dialect.OpenAIResponses => ResponsesRules.Reject(root, Issued),
            Dialect.Gemini => GeminiRules.Reject(root, Issued, gemini3: true),
            Dialect.GeminiCodeAssist => GeminiRules.RejectCodeAssist(root, Issued, gemini3: true),
            _ => throw new InvalidOperationException(Type),
        };
    }

    /// <summary>This API's answer to turn <paramref name="turn"/>: thinking, text and a call of <c>run</c>, or the final text.</summary>
    public byte[] Answer(int turn, bool final)
    {
        string thought = $"Thinking about step {turn}.";
        string text = final ? "Done." : $"Running step {turn}.";
        string args = $"{{\"step\":{turn}}}";
        string quotedArgs = JsonSerializer.Serialize(args);
        string id = CallId(turn);
        string json = Dialect switch
        {
            Dialect.Anthropic => $$$"""
                {"id":"msg_01{{{turn}}}","type":"message","role":"assistant","model":"{{{Model}}}","content":[
                {"type":"thinking","thinking":"{{{thought}}}","signature":"{{{Issued.Issue()}}}"},
                {"type":"text","text":"{{{text}}}"}
                {{{(final ? "" : $$""",{"type":"tool_use","id":"{{id}}","name":"run","input":{{args}}}""")}}}],
                "stop_reason":"{{{(final ? "end_turn" : "tool_use")}}}","stop_sequence":null,
                "usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":9}}
                """,
            // OpenAI Chat hands out no reasoning, so nothing of its own is signed.
            Dialect.OpenAIChat => $$$"""
                {"id":"chatcmpl-{{{turn}}}","object":"chat.completion","created":1700000000,"model":"{{{Model}}}","choices":[{"index":0,
                "message":{"role":"assistant","content":"{{{text}}}"{{{(final ? "" : ChatCall(id, quotedArgs))}}}},
                "finish_reason":"{{{(final ? "stop" : "tool_calls")}}}"}],
                "usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}
                """,
            Dialect.OpenAIResponses => $$$"""
                {"id":"resp_{{{turn}}}","object":"response","created_at":1700000000,"status":"completed","model":"{{{Model}}}","output":[
                {"type":"reasoning","id":"rs_{{{turn}}}","summary":[{"type":"summary_text","text":"{{{thought}}}"}],"encrypted_content":"{{{Issued.Issue()}}}"},
                {"type":"message","id":"msg_{{{turn}}}","status":"completed","role":"assistant","content":[{"type":"output_text","text":"{{{text}}}","annotations":[]}]}
                {{{(final ? "" : $$""",{"type":"function_call","id":"fc_{{turn}}","call_id":"{{id}}","name":"run","arguments":{{quotedArgs}},"status":"completed"}""")}}}],
                "usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":0},"output_tokens":9,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":29}}
                """,
            Dialect.Gemini or Dialect.GeminiCodeAssist => Envelope($$$"""
                {"candidates":[{"content":{"role":"model","parts":[
                {"text":"{{{thought}}}","thought":true},
                {"text":"{{{text}}}"{{{(final ? $",\"thoughtSignature\":\"{Issued.Issue()}\"" : "")}}}}
                {{{(final ? "" : $$""",{"functionCall":{"name":"run","args":{{args}}},"thoughtSignature":"{{Issued.Issue()}}"}""")}}}]},
                "finishReason":"STOP","index":0}],
                "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"thoughtsTokenCount":4,"totalTokenCount":29},
                "modelVersion":"{{{Model}}}"}
                """),
            _ => throw new InvalidOperationException(Type),
        };
        return System.Text.Encoding.UTF8.GetBytes(json);
    }

    private static string ChatCall(string id, string quotedArgs) =>
        ",\"tool_calls\":[{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"run\",\"arguments\":" + quotedArgs + "}}]";

    private string Envelope(string gemini) => Dialect == Dialect.GeminiCodeAssist ? $"{{\"response\":{gemini}}}" : gemini;
}
