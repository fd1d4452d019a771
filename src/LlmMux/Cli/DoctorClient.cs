using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux doctor --client NAME</c>: drives the running gateway with the requests that client sends — model
/// discovery, a streaming request, a tool call and its result sent back, and count_tokens where the client uses it —
/// with the client's own headers (<see cref="DoctorClientShapes"/>), and reports each step with the gateway's error
/// message when one fails. Each step asks a real model for a few tokens: it spends a little quota.
/// </summary>
internal static class DoctorClient
{
    public static IReadOnlyList<string> Clients { get; } = DoctorClientShapes.Clients;

    /// <summary>
    /// Each step may take this long: a real model answers in seconds, and the gateway may wait out an account's cooldown
    /// (<c>routing.max-cooldown-wait</c>, default 30 s) before it answers.
    /// </summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(6);

    public static async IAsyncEnumerable<DoctorCheck> RunAsync(string client, string url, string? key, [EnumeratorCancellation] CancellationToken ct)
    {
        var shape = DoctorClientShapes.For(client, key);
        using var http = new HttpClient { Timeout = StepTimeout };
        var subject = $"{client} ";

        var discovery = await SendAsync(http, shape.Prepare(HttpMethod.Get, url + shape.DiscoveryPath, null, null), ct).ConfigureAwait(false);
        string? model = null;
        if (discovery.Ok)
        {
            model = shape.FirstModel(discovery.Body);
        }

        if (model is null)
        {
            yield return DoctorCheck.Fail(subject + "model discovery", discovery.Ok
                ? $"GET {Path(shape.DiscoveryPath)} listed no model: add models to a provider"
                : $"GET {Path(shape.DiscoveryPath)} failed: {discovery.Problem}");
            yield break; // every later step needs a model
        }

        yield return DoctorCheck.Ok(subject + "model discovery", shape.ModelSource is { } source
            ? $"GET {Path(shape.DiscoveryPath)} lists {model}, asked for below ({source})"
            : $"GET {Path(shape.DiscoveryPath)} lists {model} (and asks for it below)");

        var (streamPath, streamBody) = shape.Stream(model);
        var stream = await SendAsync(http, shape.Prepare(HttpMethod.Post, url + streamPath, streamBody, model), ct).ConfigureAwait(false);
        yield return !stream.Ok ? DoctorCheck.Fail(subject + "streaming", $"POST {Path(streamPath)} failed: {stream.Problem}")
            : stream.Streamed && stream.Body.Contains(shape.StreamEnd, StringComparison.Ordinal)
            ? DoctorCheck.Ok(subject + "streaming", $"POST {Path(streamPath)} streamed an answer to its end")
            : DoctorCheck.Fail(subject + "streaming", $"POST {Path(streamPath)} stream ended without {shape.StreamEnd}: {Clip(stream.Body)}");

        var (toolPath, toolBody) = shape.ToolCall(model);
        var call = await SendAsync(http, shape.Prepare(HttpMethod.Post, url + toolPath, toolBody, model), ct).ConfigureAwait(false);
        if (!call.Ok)
        {
            yield return DoctorCheck.Fail(subject + "tool call", $"POST {Path(toolPath)} with a tool failed: {call.Problem}");
        }
        else if (Unfinished(call, shape))
        {
            yield return DoctorCheck.Fail(subject + "tool call", $"POST {Path(toolPath)} with a tool: the stream ended without {shape.StreamEnd}: {Clip(call.Body)}");
        }
        else
        {
            var called = shape.CalledTool(call.Body);
            var (resultPath, resultBody) = shape.ToolResult(model, called);
            var result = await SendAsync(http, shape.Prepare(HttpMethod.Post, url + resultPath, resultBody, model), ct).ConfigureAwait(false);
            yield return !result.Ok ? DoctorCheck.Fail(subject + "tool call", $"the tool's result sent back was refused: {result.Problem}")
                : Unfinished(result, shape) ? DoctorCheck.Fail(subject + "tool call", $"the answer to the tool's result ended without {shape.StreamEnd}: {Clip(result.Body)}")
                : called is null ? DoctorCheck.Warn(subject + "tool call", "the model answered without calling the tool; sending a tool result back works")
                : DoctorCheck.Ok(subject + "tool call", "the model called the tool and answered its result");
        }

        if (shape.CountTokens(model) is var (countPath, countBody))
        {
            var count = await SendAsync(http, shape.Prepare(HttpMethod.Post, url + countPath, countBody, model), ct).ConfigureAwait(false);
            yield return count.Ok && count.Body.Contains(shape.CountField, StringComparison.Ordinal)
                ? DoctorCheck.Ok(subject + "count tokens", $"POST {Path(countPath)} counts the prompt")
                : DoctorCheck.Fail(subject + "count tokens", $"POST {Path(countPath)} failed: {(count.Ok ? "no " + shape.CountField + " in the answer" : count.Problem)}");
        }
    }

    /// <param name="Streamed">The answer came as an event stream (whose errors, after the 200, are in the stream).</param>
    private sealed record Answer(bool Ok, string Body, string Problem, bool Streamed = false);

    private static bool Unfinished(Answer answer, DoctorClientShape shape) => answer.Streamed && !answer.Body.Contains(shape.StreamEnd, StringComparison.Ordinal);

    private static async Task<Answer> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                return response.IsSuccessStatusCode
                    ? new Answer(true, body, "", response.Content.Headers.ContentType?.MediaType == "text/event-stream")
                    : new Answer(false, body, $"HTTP {(int)response.StatusCode}: {ErrorMessage(body)}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return new Answer(false, "", $"no gateway answers at {request.RequestUri?.GetLeftPart(UriPartial.Authority)} ({ManagementClient.Reason(e)}); is `llm-mux serve` running?");
            }
        }
    }

    /// <summary>The <c>error.message</c> the gateway (in any dialect) answered with, else the start of the body.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.GetArrayLength() > 0 ? json.RootElement[0] : json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return message.GetString()!;
                }

                if (error.ValueKind == JsonValueKind.String)
                {
                    return error.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
        }

        return Clip(body);
    }

    private static string Clip(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length == 0 ? "(empty answer)" : flat.Length <= 200 ? flat : flat[..200] + "…";
    }

    private static string Path(string pathAndQuery) => pathAndQuery.Split('?')[0];

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
