using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmMux.Gateway.Security;

namespace LlmMux.Gateway.Endpoints;

/// <summary>
/// The Responses API over WebSocket, the Codex CLI's first choice: <c>GET /v1/responses</c> with Upgrade, then
/// <c>{"type":"response.create", ...request}</c> text frames in and one text frame per stream event out, over one
/// connection for many turns. Each frame becomes a streaming <c>POST /v1/responses</c> to this same gateway over
/// loopback, so routing, translation, failover and limits are exactly those of the HTTP endpoint.
/// </summary>
internal static class ResponsesWebSocketEndpoint
{
    /// <summary>The named <see cref="HttpClient"/> the frames go through: no proxy, no decompression, no time-out of its own.</summary>
    internal const string LoopbackClientName = "llm-mux-loopback";

    private static readonly string[] ForwardedHeaders = ["OpenAI-Beta", "session_id", "session-id", "x-session-affinity", "x-session-id", "User-Agent"];

    /// <summary>The loopback client and the relay token; the caller's request lifetime (its cancellation) ends a relay.</summary>
    public static IServiceCollection AddResponsesWebSocket(this IServiceCollection services)
    {
        services.TryAddSingleton<RelayToken>();
        services.AddHttpClient(LoopbackClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            // The relayed request is logged as itself by the pipeline it enters; a client log line per frame would be noise.
            .RemoveAllLoggers();
        return services;
    }

    public static IEndpointRouteBuilder MapResponsesWebSocket(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/responses", HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, GatewayConfigStore config, IServer server, IHttpClientFactory clients, RelayToken relay)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiErrorWriter.WriteAsync(context, Translation.Dialect.OpenAIResponses, new ApiError(400, "websocket_required",
                "GET /v1/responses is the WebSocket transport of the Responses API; send a WebSocket upgrade, or POST /v1/responses.")).ConfigureAwait(false);
            return;
        }

        var self = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server has no bound address");
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var limit = config.Current.MaxRequestBodyBytes;
        var loopback = clients.CreateClient(LoopbackClientName);
        var cancel = context.RequestAborted;
        while (socket.State == WebSocketState.Open && !cancel.IsCancellationRequested)
        {
            var frame = await ReceiveAsync(socket, limit, cancel).ConfigureAwait(false);
            if (frame is null)
            {
                break;
            }

            if (ToHttpBody(frame) is not { } body)
            {
                await SendAsync(socket, ErrorFrame(400, "Expected a JSON text frame {\"type\":\"response.create\", ...}."), cancel).ConfigureAwait(false);
                continue;
            }

            await RelayAsync(context, socket, loopback, relay, self, body, cancel).ConfigureAwait(false);
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task RelayAsync(HttpContext context, WebSocket socket, HttpClient loopback, RelayToken relay, string self, byte[] body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, self.TrimEnd('/') + "/v1/responses") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        // The upgrade request passed every check; the relayed one says so, and carries the key wherever the client put it.
        request.Headers.TryAddWithoutValidation(RelayToken.HeaderName, relay.Value);
        if (Security.ClientKeyCheck.FindKey(context.Request) is { } key)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        foreach (var name in ForwardedHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value);
            }
        }

        using var response = await loopback.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
            await SendAsync(socket, ErrorFrame((int)response.StatusCode, error), cancel).ConfigureAwait(false);
            return;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(cancel).ConfigureAwait(false))
        {
            await SendAsync(socket, Encoding.UTF8.GetBytes(item.Data), cancel).ConfigureAwait(false);
        }
    }

    /// <summary>A <c>response.create</c> frame as the HTTP body: the same fields, minus <c>type</c>, streaming on.</summary>
    private static byte[]? ToHttpBody(byte[] frame)
    {
        try
        {
            if (JsonNode.Parse(frame) is not JsonObject json || json["type"]?.GetValue<string>() != "response.create")
            {
                return null;
            }

            json.Remove("type");
            if (json["response"] is JsonObject nested)
            {
                // Older clients nest the request under "response".
                json = (JsonObject)nested.DeepClone();
            }

            json["stream"] = true;
            return Encoding.UTF8.GetBytes(json.ToJsonString());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static byte[] ErrorFrame(int status, string message)
    {
        string text = message;
        try
        {
            text = JsonNode.Parse(message)?["error"]?["message"]?.GetValue<string>() ?? message;
        }
        catch (JsonException)
        {
        }

        var frame = new JsonObject
        {
            ["type"] = "error",
            ["status"] = status,
            ["error"] = new JsonObject { ["type"] = status >= 500 ? "api_error" : "invalid_request_error", ["message"] = text },
        };
        return Encoding.UTF8.GetBytes(frame.ToJsonString());
    }

    private static Task SendAsync(WebSocket socket, byte[] payload, CancellationToken cancel)
        => socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancel);

    /// <returns>The next whole message, or null when the client closed or sent more than the body limit.</returns>
    private static async Task<byte[]?> ReceiveAsync(WebSocket socket, long limit, CancellationToken cancel)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var result = await socket.ReceiveAsync(memory, cancel).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > limit)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "request larger than limits.max-request-body-mb", cancel).ConfigureAwait(false);
                return null;
            }

            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }
}
