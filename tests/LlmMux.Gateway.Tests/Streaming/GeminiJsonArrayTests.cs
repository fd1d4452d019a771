using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Tests.Gateway;
using LlmMux.Testing;

namespace LlmMux.Gateway.Tests.Streaming;

/// <summary>
/// Gemini clients that call streamGenerateContent without <c>alt=sse</c> get one JSON array: from the encoder when
/// the stream is translated, from the translator's framing-only re-framer when a Gemini upstream's stream passes through.
/// </summary>
public sealed class GeminiJsonArrayTests
{
    private const string Chunk = """{"candidates":[{"content":{"role":"model","parts":[{"text":"PIECE"}]}}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"modelVersion":"gemini-2.5-pro"}""";
    private const string Last = """{"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"modelVersion":"gemini-2.5-pro"}""";

    private static string Config(string baseUrl) => $"""
        providers:
          - {"{"} name: google, type: gemini-api, base-url: "{baseUrl}", api-keys: [upstream-key], models: [m] {"}"}
        """;

    private static HttpRequestMessage Post(string path) => new(HttpMethod.Post, path)
    {
        Content = new StringContent("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", Encoding.UTF8, "application/json"),
    };

    [Fact]
    public async Task A_passed_through_gemini_stream_becomes_an_array_of_the_upstream_chunks()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, Chunk.Replace("PIECE", "Hel", StringComparison.Ordinal));
            await FakeUpstream.SendEventAsync(context, Chunk.Replace("PIECE", "lo", StringComparison.Ordinal));
            await FakeUpstream.SendEventAsync(context, Last);
        });
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));

        var response = await gateway.Client.SendAsync(Post("/v1beta/models/m:streamGenerateContent"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("[" + Chunk.Replace("PIECE", "Hel", StringComparison.Ordinal) + ",\r\n" + Chunk.Replace("PIECE", "lo", StringComparison.Ordinal) + ",\r\n" + Last + "]", body);
        Assert.Contains("alt=sse", Assert.Single(upstream.Requests).PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_passed_through_stream_ends_the_array_with_an_error_element()
    {
        var clientSawFirstElement = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, Chunk.Replace("PIECE", "Hel", StringComparison.Ordinal));
            await clientSawFirstElement.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        await using var gateway = await GatewayFixture.StartAsync(Config(upstream.BaseUrl));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        using var response = await gateway.Client.SendAsync(Post("/v1beta/models/m:streamGenerateContent"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        clientSawFirstElement.SetResult();
        using var rest = new StreamReader(stream);
        var array = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, read) + await rest.ReadToEndAsync(timeout.Token))!.AsArray();

        Assert.Equal(2, array.Count);
        Assert.Equal("Hel", array[0]!["candidates"]![0]!["content"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(502, array[1]!["error"]!["code"]!.GetValue<int>());
    }
}
