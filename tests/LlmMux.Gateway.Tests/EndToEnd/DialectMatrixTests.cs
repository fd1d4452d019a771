using System.Net;
using System.Text.Json.Nodes;
using LlmMux.Testing;

namespace LlmMux.Gateway.Tests.EndToEnd;

/// <summary>
/// Every inbound dialect (OpenAI Chat and Responses, Anthropic, Gemini, Ollama) against every key-based upstream type, streaming and not, each with a tool-call round trip:
/// the client offers a tool, the upstream calls it, the client sends the result, the upstream answers in text.
/// Assertions are on what the client sees and on what the upstream received.
/// </summary>
public sealed class DialectMatrixTests
{
    private static readonly ClientScript[] Clients = [new OpenAIChatClient(), new OpenAIResponsesClient(), new AnthropicClient(), new GeminiClient(), new OllamaClient()];
    private static readonly string[] Upstreams = ["openai", "anthropic", "gemini-api"];

    public static TheoryData<string, string, bool> Cells()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var client in Clients)
        {
            foreach (var upstream in Upstreams)
            {
                data.Add(client.Name, upstream, false);
                data.Add(client.Name, upstream, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task A_tool_call_round_trip_works(string clientName, string upstreamType, bool stream)
    {
        var client = Clients.Single(c => c.Name == clientName);
        await using var upstream = await FakeUpstream.StartAsync((context, request) => UpstreamScripts.AnswerAsync(upstreamType, context, request));
        var baseUrl = upstreamType == "openai" ? upstream.BaseUrl + "/v1" : upstream.BaseUrl;
        await using var gateway = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: {upstreamType}
                base-url: {baseUrl}
                api-keys: [upstream-key]
                models: [{"{"} name: up-model, alias: m {"}"}]
            """);

        var first = await gateway.Client.SendAsync(client.FirstTurn(stream));
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody);
        var call = client.Read(firstBody, stream);
        Assert.Equal("get_weather", call.ToolName);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"city":"Paris"}"""), JsonNode.Parse(call.ToolArgs!)), call.ToolArgs);

        var second = await gateway.Client.SendAsync(client.SecondTurn(stream, call with { ToolId = call.ToolId ?? "call_x" }));
        var secondBody = await second.Content.ReadAsStringAsync();
        Assert.True(second.StatusCode == HttpStatusCode.OK, secondBody);
        Assert.Equal(UpstreamScripts.FinalText, client.Read(secondBody, stream).Text.Replace("Let me check.", "", StringComparison.Ordinal));

        Assert.Equal(2, upstream.Requests.Count);
        Assert.Contains("get_weather", upstream.Requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("18C and sunny", upstream.Requests[1].Body, StringComparison.Ordinal);
        Assert.Contains("up-model", upstream.Requests[0].Body + upstream.Requests[0].PathAndQuery, StringComparison.Ordinal);
        var auth = upstreamType switch { "anthropic" => "x-api-key", "gemini-api" => "x-goog-api-key", _ => "Authorization" };
        Assert.EndsWith("upstream-key", upstream.Requests[0].Headers[auth], StringComparison.Ordinal);
    }
}
