namespace LlmMux.Cli;

/// <summary>
/// The tool call a model made, as the client keeps it: the call's id and name, and <paramref name="Echo"/>, the
/// model's turn as it came back (JSON, in the dialect's own form), which the client replays in the next request's
/// history with the tool's result.
/// </summary>
internal sealed record DoctorToolCall(string? Id, string Name, string Echo);

/// <summary>
/// The requests one client sends, reduced to what <c>doctor --client</c> needs: its headers and the bodies for
/// discovery, a stream, a tool call and its result, and count_tokens (<see cref="DoctorClientShapes"/>).
/// </summary>
/// <param name="Headers">Sent on every request; <c>{model}</c> in a value stands for the model asked for.</param>
/// <param name="ToolResult">The request that sends the tool's result back after the model's call, or after a made-up
/// call when the model answered without one (null).</param>
/// <param name="ModelSource">For a client that lists no models itself: where it takes its model from.</param>
internal sealed record DoctorClientShape(
    string DiscoveryPath,
    IReadOnlyList<(string Name, string Value)> Headers,
    Func<string, string?> FirstModel,
    Func<string, (string Path, string Body)> Stream,
    string StreamEnd,
    Func<string, (string Path, string Body)> ToolCall,
    Func<string, DoctorToolCall?> CalledTool,
    Func<string, DoctorToolCall?, (string Path, string Body)> ToolResult,
    Func<string, (string Path, string Body)?> CountTokens,
    string CountField,
    string? ModelSource = null)
{
    public HttpRequestMessage Prepare(HttpMethod method, string url, string? body, string? model)
    {
        var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value.Replace("{model}", model ?? "", StringComparison.Ordinal));
        }

        if (body is not null)
        {
            request.Content = DoctorClient.Json(body);
        }

        return request;
    }
}
