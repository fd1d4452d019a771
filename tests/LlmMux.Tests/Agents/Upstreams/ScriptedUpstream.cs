using System.Text.Json;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests.Agents.Upstreams;

/// <summary>What the model is asked on one upstream call, read from whichever wire format it came in.</summary>
/// <param name="Tools">The names of the tools the request offers.</param>
/// <param name="ToolResults">The text of every tool result in the conversation so far, oldest first.</param>
internal sealed record Turn(IReadOnlyList<string> Tools, IReadOnlyList<string> ToolResults, RecordedRequest Request);

/// <summary>What the fake model answers: text, or one call of a tool the request offered.</summary>
internal abstract record Reply
{
    public sealed record Text(string Value) : Reply;

    public sealed record ToolCall(string Name, string ArgumentsJson) : Reply;
}

/// <summary>
/// One fake upstream on 127.0.0.1 that speaks Anthropic Messages (<c>/v1/messages</c>), OpenAI Chat Completions
/// (<c>/v1/chat/completions</c>) and the Gemini API (<c>/v1beta/models/{model}:…</c>), streaming or not, as each
/// real API does. It checks each request the way the real API does and answers what the real one would refuse with
/// that API's own 4xx; otherwise the test's script decides the answer.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    public const string Key = "sk-upstream-fake-key";

    private readonly FakeUpstream _fake;
    private readonly List<string> _rejections = [];
    private int _stopped;

    private ScriptedUpstream(FakeUpstream fake) => _fake = fake;

    public string BaseUrl => _fake.BaseUrl;

    /// <summary>Every request that reached the fake, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_fake.Requests)
            {
                return [.. _fake.Requests];
            }
        }
    }

    /// <summary>What the fake refused and why, for assertion messages.</summary>
    public string Rejections
    {
        get
        {
            lock (_rejections)
            {
                return _rejections.Count == 0 ? "(none)" : string.Join('\n', _rejections);
            }
        }
    }

    /// <summary>The tool results of the last request the script answered, for assertion messages.</summary>
    public IReadOnlyList<string> LastToolResults { get; private set; } = [];

    public static async Task<ScriptedUpstream> StartAsync(Func<Turn, Reply> script)
    {
        ScriptedUpstream? upstream = null;
        var fake = await FakeUpstream.StartAsync((context, request) => upstream!.AnswerAsync(context, request, script));
        upstream = new ScriptedUpstream(fake);
        return upstream;
    }

    private async Task AnswerAsync(HttpContext context, RecordedRequest request, Func<Turn, Reply> script)
    {
        var path = request.PathAndQuery.Split('?')[0];
        IWire? wire = request.Method != "POST" ? null
            : path == "/v1/messages" ? AnthropicWire.Instance
            : path == "/v1/chat/completions" ? OpenAIChatWire.Instance
            : path.StartsWith("/v1beta/models/", StringComparison.Ordinal) && (path.EndsWith(":generateContent", StringComparison.Ordinal) || path.EndsWith(":streamGenerateContent", StringComparison.Ordinal)) ? GeminiWire.Instance
            : null;
        if (request.Method == "POST" && path == "/v1/messages/count_tokens")
        {
            await CountTokensAsync(context, request, AnthropicWire.Instance, AnthropicWire.RefuseHeaders(request), "input_tokens");
            return;
        }

        if (request.Method == "POST" && path.StartsWith("/v1beta/models/", StringComparison.Ordinal) && path.EndsWith(":countTokens", StringComparison.Ordinal))
        {
            await CountTokensAsync(context, request, GeminiWire.Instance, GeminiWire.RefuseCount(request), "totalTokens");
            return;
        }

        if (wire is null)
        {
            Reject(request, $"no such route: {request.Method} {request.PathAndQuery}");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(request.Body);
        }
        catch (JsonException e)
        {
            Reject(request, e.Message);
            await wire.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "The request body is not valid JSON.");
            return;
        }

        using (body)
        {
            if (wire.Refuse(request, body.RootElement) is { } refusal)
            {
                Reject(request, refusal.Message);
                await wire.WriteErrorAsync(context, refusal.Status, refusal.Message);
                return;
            }

            var turn = new Turn(wire.Tools(body.RootElement), wire.ToolResults(body.RootElement), request);
            lock (_rejections)
            {
                LastToolResults = turn.ToolResults;
            }

            var reply = script(turn);
            await wire.WriteAsync(context, request, body.RootElement, reply);
        }
    }

    /// <summary>A token count (Anthropic's count_tokens, Gemini's countTokens): the API's own checks, then a count
    /// in <paramref name="field"/> that grows with the body.</summary>
    private async Task CountTokensAsync(HttpContext context, RecordedRequest request, IWire wire, Refusal? refusal, string field)
    {
        if (refusal is not null)
        {
            Reject(request, refusal.Message);
            await wire.WriteErrorAsync(context, refusal.Status, refusal.Message);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"{{field}}":{{Math.Max(1, request.Body.Length / 4)}}}""");
    }

    private void Reject(RecordedRequest request, string why)
    {
        lock (_rejections)
        {
            _rejections.Add($"{request.Method} {request.PathAndQuery}: {why}");
        }
    }

    /// <summary>Stops the fake; a test may stop it early (an upstream gone) and dispose it again at its end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _fake.DisposeAsync();
        }
    }
}

/// <summary>An error the real API would answer, with its status.</summary>
internal sealed record Refusal(int Status, string Message)
{
    public static Refusal Bad(string message) => new(StatusCodes.Status400BadRequest, message);
}

/// <summary>One upstream wire format: its checks, how it names tools and results, how it answers.</summary>
internal interface IWire
{
    Refusal? Refuse(RecordedRequest request, JsonElement body);

    IReadOnlyList<string> Tools(JsonElement body);

    IReadOnlyList<string> ToolResults(JsonElement body);

    Task WriteAsync(HttpContext context, RecordedRequest request, JsonElement body, Reply reply);

    Task WriteErrorAsync(HttpContext context, int status, string message);
}

/// <summary>Small readers the three wire formats share.</summary>
internal static class Wire
{
    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static IEnumerable<JsonElement> Array(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    public static bool Has(this JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out _);

    /// <summary>The first top-level field the API does not define, which real APIs refuse rather than ignore.</summary>
    public static string? UnknownField(JsonElement body, IReadOnlySet<string> known) =>
        body.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !known.Contains(n));

    /// <summary>A string content, or the concatenated text parts of a content array.</summary>
    public static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(p => p.Str("text") ?? "")),
        _ => content.GetRawText(),
    };

    public static bool IsToolName(string? name, int max) =>
        name is { Length: > 0 } && name.Length <= max && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static async Task SendAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text);
        await context.Response.Body.FlushAsync();
    }

    public static Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public static string Quote(string text) => JsonSerializer.Serialize(text, WireJson.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class WireJson : System.Text.Json.Serialization.JsonSerializerContext;
