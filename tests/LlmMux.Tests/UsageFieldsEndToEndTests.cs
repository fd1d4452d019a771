using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// Usage fields through a real <c>llm-mux serve</c>: an Anthropic client streaming from an OpenAI-compatible upstream
/// that reports no usage still reads input and cache counts in <c>message_start</c> and output tokens at the end; an
/// OpenAI client answered by Anthropic with thinking reads <c>reasoning_tokens</c> and <c>cached_tokens</c>; the request
/// log marks both as estimated, and a request whose upstream reported everything as not.
/// </summary>
public sealed class UsageFieldsEndToEndTests : IAsyncLifetime
{
    private const string Secret = "e2e-usage-secret";
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path == "/v1/messages")
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""
                    {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
                     {"type":"thinking","thinking":"Let me think about this question carefully.","signature":"c2ln"},
                     {"type":"text","text":"Four."}],"stop_reason":"end_turn","stop_sequence":null,
                     "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":30,"output_tokens":20}}
                    """);
                return;
            }

            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, """{"id":"c1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello from a quiet upstream"}}]}""");
            await FakeUpstream.SendEventAsync(context, """{"id":"c1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""");
            await FakeUpstream.SendEventAsync(context, "[DONE]");
        });
        _dir = Directory.CreateTempSubdirectory("llm-mux-usage-e2e-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [client-key]
            management:
              secret-key: "{Secret}"
            providers:
              - name: quiet
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                api-keys: [sk-upstream]
                models: [{"{"} name: gpt-4.1, alias: claude-quiet {"}"}]
              - name: anth
                type: anthropic
                base-url: {_upstream.BaseUrl}
                api-keys: [sk-ant-upstream]
                models: [claude-sonnet-4-5]
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> PostAsync(string path, string body, params (string, string)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _gateway.BaseUrl + path);
        request.Headers.Add("Authorization", "Bearer client-key");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    private static JsonNode Event(string sse, string type) =>
        sse.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!)
            .Last(e => (string?)e["type"] == type);

    [Fact]
    public async Task Usage_fields_are_present_and_estimates_are_marked_in_the_request_log()
    {
        var sse = await PostAsync("/v1/messages",
            """{"model":"claude-quiet","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Say hello to everyone in this room, please."}]}""",
            ("anthropic-version", "2023-06-01"));
        var start = Event(sse, "message_start")["message"]!["usage"]!;
        Assert.True((long)start["input_tokens"]! > 0, sse);
        Assert.Equal(0, (long)start["cache_creation_input_tokens"]!);
        Assert.Equal(0, (long)start["cache_read_input_tokens"]!);
        Assert.Equal(7, (long)Event(sse, "message_delta")["usage"]!["output_tokens"]!); // 27 characters

        var chat = JsonNode.Parse(await PostAsync("/v1/chat/completions",
            """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"2+2?"}]}"""))!;
        var usage = chat["usage"]!;
        Assert.Equal(42, (long)usage["prompt_tokens"]!);
        Assert.Equal(30, (long)usage["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.InRange((long)usage["completion_tokens_details"]!["reasoning_tokens"]!, 1, 20);

        using var log = new HttpRequestMessage(HttpMethod.Get, _gateway.BaseUrl + "/v0/management/requests");
        log.Headers.Add("X-Management-Key", Secret);
        using var answer = await _http.SendAsync(log);
        var records = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.True((bool)r!["usage_estimated"]!, r!.ToJsonString()));
        Assert.Equal(7, (long)records.Single(r => (string?)r!["provider"] == "quiet")!["output_tokens"]!);
    }
}
