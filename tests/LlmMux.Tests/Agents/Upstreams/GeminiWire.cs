using System.Text.Json;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Agents.Upstreams;

/// <summary>The Gemini API's generateContent / streamGenerateContent, with the checks Google makes and its texts.</summary>
internal sealed class GeminiWire : IWire
{
    public static readonly GeminiWire Instance = new();

    private static readonly HashSet<string> Known =
        ["contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent", "labels"];

    private static readonly HashSet<string> CountKnown = ["contents", "generateContentRequest"];

    /// <summary>countTokens: the key, and contents (or a whole generateContentRequest) and nothing else.</summary>
    public static Refusal? RefuseCount(RecordedRequest request)
    {
        if (request.Headers.GetValueOrDefault("x-goog-api-key") != ScriptedUpstream.Key)
        {
            return Refusal.Bad("API key not valid. Please pass a valid API key.");
        }

        try
        {
            using var body = JsonDocument.Parse(request.Body);
            var root = body.RootElement;
            return root.ValueKind != JsonValueKind.Object ? Refusal.Bad("Invalid JSON payload received.")
                : Wire.UnknownField(root, CountKnown) is { } unknown ? Refusal.Bad($"Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field.")
                : !root.Array("contents").Any() && !root.Has("generateContentRequest") ? Refusal.Bad("* CountTokensRequest.contents: contents is not specified")
                : null;
        }
        catch (JsonException)
        {
            return Refusal.Bad("Invalid JSON payload received.");
        }
    }

    public Refusal? Refuse(RecordedRequest request, JsonElement body)
    {
        if (request.Headers.GetValueOrDefault("x-goog-api-key") != ScriptedUpstream.Key)
        {
            return Refusal.Bad("API key not valid. Please pass a valid API key.");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Refusal.Bad("Invalid JSON payload received.");
        }

        if (Wire.UnknownField(body, Known) is { } unknown)
        {
            return Refusal.Bad($"Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field.");
        }

        foreach (var declaration in body.Array("tools").SelectMany(t => t.Array("functionDeclarations")))
        {
            if (declaration.Has("parameters") && declaration.Has("parametersJsonSchema"))
            {
                return Refusal.Bad("* GenerateContentRequest.tools[0].function_declarations[0]: parameters and parameters_json_schema cannot both be set.");
            }
        }

        var contents = body.Array("contents").ToList();
        if (contents.Count == 0)
        {
            return Refusal.Bad("* GenerateContentRequest.contents: contents is not specified");
        }

        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i].Str("role") is { } role && role is not ("user" or "model"))
            {
                return Refusal.Bad("Please use a valid role: user, model.");
            }

            var parts = contents[i].Array("parts").ToList();
            if (parts.Count == 0)
            {
                return Refusal.Bad($"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.");
            }

            var responses = parts.Count(p => p.Has("functionResponse"));
            var calls = i > 0 ? contents[i - 1].Array("parts").Count(p => p.Has("functionCall")) : 0;
            if (responses > 0 && responses != calls)
            {
                return Refusal.Bad("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
            }
        }

        return null;
    }

    public IReadOnlyList<string> Tools(JsonElement body) =>
        [.. body.Array("tools").SelectMany(t => t.Array("functionDeclarations")).Select(d => d.Str("name") ?? "")];

    public IReadOnlyList<string> ToolResults(JsonElement body) =>
    [
        .. body.Array("contents").SelectMany(c => c.Array("parts"))
            .Where(p => p.Has("functionResponse"))
            .Select(p => p.GetProperty("functionResponse").TryGetProperty("response", out var r) ? r.GetRawText() : ""),
    ];

    public async Task WriteAsync(HttpContext context, RecordedRequest request, JsonElement body, Reply reply)
    {
        var part = reply switch
        {
            Reply.ToolCall call => $$"""{"functionCall":{"name":{{Wire.Quote(call.Name)}},"args":{{call.ArgumentsJson}} } }""",
            Reply.Text text => $$"""{"text":{{Wire.Quote(text.Value)}} }""",
            _ => throw new ArgumentOutOfRangeException(nameof(reply)),
        };
        var model = request.PathAndQuery.Split('?')[0]["/v1beta/models/".Length..].Split(':')[0];
        var response = $$"""{"candidates":[{"content":{"parts":[{{part}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":25,"candidatesTokenCount":12,"totalTokenCount":37},"modelVersion":{{Wire.Quote(model)}},"responseId":"mAitaLmkHPPlz7IPvtfUqQ4"}""";
        if (!request.PathAndQuery.Contains(":streamGenerateContent", StringComparison.Ordinal))
        {
            await Wire.JsonAsync(context, 200, response);
        }
        else if (request.PathAndQuery.Contains("alt=sse", StringComparison.Ordinal))
        {
            context.Response.ContentType = "text/event-stream";
            await Wire.SendAsync(context, $"data: {response}\r\n\r\n");
        }
        else
        {
            context.Response.ContentType = "application/json";
            await Wire.SendAsync(context, $"[{response}]");
        }
    }

    public Task WriteErrorAsync(HttpContext context, int status, string message) =>
        Wire.JsonAsync(context, status, $$"""
            {"error":{"code":{{status}},"message":{{Wire.Quote(message)}},"status":"{{(status == 400 ? "INVALID_ARGUMENT" : "UNAUTHENTICATED")}}"} }
            """);
}
