using System.ClientModel;
using System.Text;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;
using OpenAI;
using OpenAI.Chat;

namespace LlmMux.Tests;

/// <summary>The official OpenAI .NET SDK against the real `llm-mux serve`, with a fake OpenAI-compatible upstream.</summary>
public sealed class OpenAISdkEndToEndTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async (context, request) =>
        {
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

        _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-").FullName;
        var config = Path.Combine(_dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [client-key]
            providers:
              - name: up
                type: openai
                base-url: {_upstream.BaseUrl}/v1
                api-keys: [sk-upstream]
                models: [{"{"} name: gpt-4.1, alias: smart {"}"}]
            """);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ChatClient Client() => new("smart", new ApiKeyCredential("client-key"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseUrl + "/v1") });

    [Fact]
    public async Task The_sdk_gets_a_chat_completion_through_llm_mux()
    {
        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Say hello")]);

        Assert.Equal("Hello from upstream", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(7, completion.Usage.TotalTokenCount);
        var sent = Assert.Single(_upstream.Requests);
        Assert.Contains("\"model\":\"gpt-4.1\"", sent.Body, StringComparison.Ordinal);
        Assert.Equal("Bearer sk-upstream", sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task The_sdk_streams_a_chat_completion_through_llm_mux()
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("Say hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello from upstream", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(4, usage!.OutputTokenCount);
    }

    [Fact]
    public async Task The_sdk_sees_an_unknown_model_as_a_404_error_with_the_gateway_message()
    {
        var client = new ChatClient("no-such-model", new ApiKeyCredential("client-key"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseUrl + "/v1") });
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, ex.Status);
        Assert.Contains("no-such-model", ex.Message, StringComparison.Ordinal);
    }
}
