using System.Net;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// The official Anthropic .NET SDK against the real `llm-mux serve`: translated to an OpenAI-compatible upstream
/// (<c>claude-test</c>) and passed through to an Anthropic upstream (<c>claude-sonnet</c>), both played by one fake.
/// </summary>
public sealed class AnthropicSdkEndToEndTests : IAsyncLifetime
{
    private const string ClientKey = "client-key";
    private const string OpenAIUpstreamKey = "sk-openai-upstream";
    private const string AnthropicUpstreamKey = "sk-ant-upstream";

    private readonly SentHeaders _sdkSent = new();
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async (context, request) =>
        {
            if (request.PathAndQuery == "/v1/messages")
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""
                    {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                     "content":[{"type":"text","text":"Hello from Anthropic"}],"stop_reason":"end_turn","stop_sequence":null,
                     "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5}}
                    """);
                return;
            }

            if (request.Body.Contains("\"stream\":true", StringComparison.Ordinal))
            {
                context.Response.ContentType = "text/event-stream";
                foreach (var piece in new[] { "Hel", "lo", " from upstream" })
                {
                    await FakeUpstream.SendEventAsync(context, $$"""{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"{{piece}}"},"finish_reason":null}]}""");
                }

                await FakeUpstream.SendEventAsync(context, """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""");
                await FakeUpstream.SendEventAsync(context, """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""");
                await FakeUpstream.SendEventAsync(context, "[DONE]");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"c2","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from upstream"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""");
        });

        _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-anthropic-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{ClientKey}]
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                api-keys: [{OpenAIUpstreamKey}]
                models: [{"{"} name: gpt-4.1, alias: claude-test {"}"}]
              - name: anth
                type: anthropic
                base-url: {_upstream.BaseUrl}
                api-keys: [{AnthropicUpstreamKey}]
                models: [{"{"} name: claude-sonnet-4-5-20250929, alias: claude-sonnet {"}"}]
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The SDK as a user configures it for llm-mux: the gateway's root as base URL, the client key, no retries
    /// (so an error is the first answer, not a replay). A handler records what the SDK itself put on the wire.</summary>
    private AnthropicClient Client() => new(new ClientOptions
    {
        BaseUrl = _gateway.BaseUrl,
        ApiKey = ClientKey,
        MaxRetries = 0,
        Handlers = [new RecordingHandler(_sdkSent)],
    });

    private static MessageCreateParams Ask(string model, string text) => new()
    {
        Model = model,
        MaxTokens = 256,
        Messages = [new UserMessageParam(text)],
    };

    [Fact]
    public async Task The_sdk_gets_a_message_translated_from_an_openai_upstream()
    {
        using var client = Client();
        Message message = await client.Messages.Create(Ask("claude-test", "Say hello"));

        var text = Assert.Single(message.Content);
        Assert.True(text.TryPickText(out var block));
        Assert.Equal("Hello from upstream", block.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        Assert.Equal(3, message.Usage.InputTokens);
        Assert.Equal(4, message.Usage.OutputTokens);

        var sent = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("gpt-4.1", body.RootElement.GetProperty("model").GetString());
        var userMessage = Assert.Single(body.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", userMessage.GetProperty("role").GetString());
        Assert.Contains("Say hello", userMessage.GetProperty("content").GetRawText(), StringComparison.Ordinal);
        Assert.Equal($"Bearer {OpenAIUpstreamKey}", sent.Headers["Authorization"]);
        AssertClientKeyNeverReached(sent);
    }

    [Fact]
    public async Task The_sdk_streams_a_message_translated_from_an_openai_upstream()
    {
        using var client = Client();
        var deltas = new List<string>();
        StopReason? stop = null;
        long? outputTokens = null;
        bool stopped = false;
        await foreach (var ev in client.Messages.CreateStreaming(Ask("claude-test", "Say hello")))
        {
            if (ev.TryPickContentBlockDelta(out var blockDelta) && blockDelta.Delta.TryPickText(out var textDelta))
            {
                deltas.Add(textDelta.Text);
            }
            else if (ev.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta.Delta.StopReason?.Value();
                outputTokens = messageDelta.Usage.OutputTokens;
            }
            else if (ev.TryPickStop(out _))
            {
                stopped = true;
            }
        }

        Assert.Equal(["Hel", "lo", " from upstream"], deltas);
        Assert.Equal(StopReason.EndTurn, stop);
        Assert.Equal(4, outputTokens);
        Assert.True(stopped, "the stream ended without message_stop");

        var sent = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Contains("\"stream\":true", sent.Body, StringComparison.Ordinal);
        Assert.Equal($"Bearer {OpenAIUpstreamKey}", sent.Headers["Authorization"]);
        AssertClientKeyNeverReached(sent);
    }

    [Fact]
    public async Task The_sdk_passes_through_to_an_anthropic_upstream_with_its_key_and_one_version_header()
    {
        using var client = Client();
        Message message = await client.Messages.Create(Ask("claude-sonnet", "Say hello"));

        Assert.True(Assert.Single(message.Content).TryPickText(out var block));
        Assert.Equal("Hello from Anthropic", block.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        Assert.Equal(12, message.Usage.InputTokens);
        Assert.Equal(5, message.Usage.OutputTokens);

        var sdkVersion = Assert.Single(_sdkSent.Values("anthropic-version"));
        var sent = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("claude-sonnet-4-5-20250929", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(AnthropicUpstreamKey, sent.Headers["x-api-key"]);
        Assert.Equal(sdkVersion, sent.Headers["anthropic-version"]); // a doubled header would arrive as "v, v"
        Assert.False(sent.Headers.ContainsKey("Authorization"), $"upstream got Authorization: {sent.Headers.GetValueOrDefault("Authorization")}");
        AssertClientKeyNeverReached(sent);
    }

    [Fact]
    public async Task The_sdk_sees_an_unknown_model_as_its_typed_404_naming_the_model()
    {
        using var client = Client();
        var ex = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Messages.Create(Ask("no-such-model", "hi")));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("no-such-model", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    /// <summary>The SDK did send the client key (in whichever header it chose), and no upstream header carries it.</summary>
    private void AssertClientKeyNeverReached(RecordedRequest sent)
    {
        Assert.True(
            _sdkSent.Values("x-api-key").Contains(ClientKey) || _sdkSent.Values("Authorization").Contains($"Bearer {ClientKey}"),
            "the SDK did not send the client key");
        Assert.DoesNotContain(sent.Headers, h => h.Value.Contains(ClientKey, StringComparison.Ordinal));
    }

    /// <summary>Request headers the SDK sent, as it sent them (last request wins).</summary>
    private sealed class SentHeaders
    {
        private readonly Dictionary<string, string[]> _headers = new(StringComparer.OrdinalIgnoreCase);

        public void Record(HttpRequestMessage request)
        {
            lock (_headers)
            {
                _headers.Clear();
                foreach (var (name, values) in request.Headers)
                {
                    _headers[name] = [.. values];
                }
            }
        }

        public string[] Values(string name)
        {
            lock (_headers)
            {
                return _headers.TryGetValue(name, out var values) ? values : [];
            }
        }
    }

    private sealed class RecordingHandler(SentHeaders into) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            into.Record(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
