using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Security;
using LlmMux.Gateway.Streaming;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Shapes the upstream answer for the client. A failed answer that another account may not give is kept away from
/// the client while failover is still possible (body suppressed, outcome recorded for <see cref="FailoverMiddleware"/>).
/// A good answer passes through when the client speaks the upstream's dialect, else it is translated: whole bodies
/// at once, streams event by event through a translating stream that YARP's own copy loop pulls from.
/// </summary>
internal sealed class UpstreamResponseTransform(TimeProvider time) : ResponseTransform
{
    private const int MaxDetailBytes = 2048;
    private const int MaxPassedErrorBytes = 64 * 1024;
    private const int MaxTranslatedBodyBytes = 64 * 1024 * 1024;

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.ProxyResponse;
        var request = context.HttpContext.Features.Get<LlmRequestFeature>();
        if (response is null || request?.Target is not { } target || context.HttpContext.Response.HasStarted)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var upstream = target.Provider.Protocol.Dialect;
        var client = request.Ingress.Format;
        if (UpstreamOutcome.AllowsFailover(status))
        {
            context.SuppressResponseBody = true;
            var detail = await ReadDetailAsync(response.Content, MaxDetailBytes, context.CancellationToken).ConfigureAwait(false);
            var resetAt = status == 429 ? RateLimitResets.Find(response.Headers, detail, time.GetUtcNow()) : null;
            request.Outcome = new UpstreamOutcome(status, resetAt, UpstreamErrorMessage.Extract(detail));
            return;
        }

        var clientResponse = context.HttpContext.Response;
        if (status >= 300)
        {
            if (upstream != client)
            {
                // A client error from an upstream of another dialect: same status, the upstream's message, the client's shape.
                var detail = await ReadDetailAsync(response.Content, MaxDetailBytes, context.CancellationToken).ConfigureAwait(false);
                var error = new ApiError(status, "upstream_rejected", UpstreamErrorMessage.Extract(detail));
                ReplaceBody(context, ApiErrorWriter.Render(request.Ingress.ErrorDialect, error), "application/json");
            }
            else
            {
                // The client reads this dialect itself, so the body stays the upstream's, but never with a key in it
                // (some OpenAI-compatible servers echo the key they were sent). Error bodies are small: one larger than
                // MaxPassedErrorBytes is replaced by the gateway's own error rather than cut into invalid JSON.
                var (bytes, length) = await ReadPrefixAsync(response.Content, MaxPassedErrorBytes + 1, context.CancellationToken).ConfigureAwait(false);
                if (length > MaxPassedErrorBytes)
                {
                    ReplaceBody(context, ApiErrorWriter.Render(request.Ingress.ErrorDialect,
                        new ApiError(status, "upstream_rejected", $"The upstream refused the request (HTTP {status}) with an error body too large to relay.")), "application/json");
                }
                else
                {
                    var scrubbed = SecretScrubber.Scrub(Encoding.UTF8.GetString(bytes, 0, length));
                    ReplaceBody(context, Encoding.UTF8.GetBytes(scrubbed), response.Content.Headers.ContentType?.ToString() ?? "application/json");
                }
            }

            return;
        }

        var watch = new UpstreamStreamState(request.Snapshot.Options.Routing.UpstreamIdleTimeout);
        request.StreamState = watch;
        if (request.Stream)
        {
            var errorEvents = new StreamErrorEvents(request.Ingress.ErrorDialect);
            Action<LlmMux.Translation.Ir.IrUsage?> recordUsage = usage => request.Usage = usage;
            Func<Stream, Stream> wrap = upstream == client
                ? s => new PassThroughStream(s, Translator.Default.CreateUsageTap(upstream, stream: true), recordUsage, errorEvents, watch)
                : s => new TranslatingStream(s, Translator.Default.CreateStreamTranslator(upstream, client, StreamContextFor(request, client)), recordUsage, watch);
            if (request.GeminiJsonArrayStream && upstream == client)
            {
                // A translated stream is framed as an array by its encoder; a passed-through one is re-framed here.
                var inner = wrap;
                wrap = s => new TranslatingStream(inner(s), Translator.Default.CreateGeminiJsonArrayFramer());
            }

            response.Content = new PullStreamContent(response.Content, wrap);
            clientResponse.Headers.ContentLength = null;
            clientResponse.ContentType = StreamContentType(request);
            return;
        }

        if (target.Provider.Protocol.AlwaysStreams && !request.IsCountTokens)
        {
            // The upstream streamed although the client wants one body: the completed response closes the stream.
            byte[]? completed;
            try
            {
                completed = await CollectCompletedAsync(response.Content, context.HttpContext.RequestAborted, context.CancellationToken).ConfigureAwait(false);
            }
            catch (StreamEventTooLargeException ex)
            {
                clientResponse.StatusCode = 502;
                ReplaceBody(context, ApiErrorWriter.Render(request.Ingress.ErrorDialect,
                    new ApiError(502, "upstream_invalid", $"The upstream's stream cannot be read: {ex.Message}")), "application/json");
                return;
            }

            if (completed is null)
            {
                clientResponse.StatusCode = 502;
                ReplaceBody(context, ApiErrorWriter.Render(request.Ingress.ErrorDialect,
                    new ApiError(502, "upstream_incomplete", "The upstream stream closed before response.completed.")), "application/json");
                return;
            }

            ReplaceWithTranslated(context, request, completed, upstream, client);
            return;
        }

        if (upstream == client)
        {
            response.Content = new PullStreamContent(response.Content,
                s => new PassThroughStream(s, Translator.Default.CreateUsageTap(upstream, stream: false), usage => request.Usage = usage, errorEvents: null, state: watch));
        }
        else
        {
            var bytes = await ReadAllAsync(response.Content, context.CancellationToken).ConfigureAwait(false);
            ReplaceWithTranslated(context, request, bytes, upstream, client);
        }
    }

    /// <summary>A whole answer, decoded once: its usage is recorded and, for another dialect, it is re-encoded from the same IR.</summary>
    private static void ReplaceWithTranslated(ResponseTransformContext context, LlmRequestFeature request, byte[] bytes, Dialect upstream, Dialect client)
    {
        byte[] translated;
        try
        {
            var ir = Translator.Default.DecodeResponse(bytes, upstream);
            request.Usage = ir.Usage;
            translated = upstream == client ? bytes : Translator.Default.EncodeResponse(ir with { Model = request.Model }, client);
        }
        catch (TranslationException) when (upstream == client)
        {
            translated = bytes; // the client reads this dialect itself; only the usage count is lost
        }
        catch (TranslationException ex)
        {
            context.HttpContext.Response.StatusCode = 502;
            translated = ApiErrorWriter.Render(request.Ingress.ErrorDialect, new ApiError(502, "upstream_invalid", $"The upstream's answer could not be translated: {ex.Message}"));
        }

        ReplaceBody(context, translated, "application/json");
    }

    /// <summary>
    /// The <c>response</c> object of a Responses stream's <c>response.completed</c> event, or null; read chunk by chunk,
    /// so only that object is kept, never the whole stream. A read cancelled while the client is still there is the
    /// upstream going silent, which is its fault (an <see cref="IOException"/> for the health policy), not ours.
    /// </summary>
    private static async Task<byte[]?> CollectCompletedAsync(HttpContent content, CancellationToken clientAborted, CancellationToken cancellationToken)
    {
        using var collector = Translator.Default.CreateCompletedResponseCollector();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                collector.Feed(chunk.AsSpan(0, read));
            }

            return collector.Complete();
        }
        catch (OperationCanceledException) when (!clientAborted.IsCancellationRequested)
        {
            throw new UpstreamIdleException();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// OpenAI clients get the usage chunk only when they asked for it (older clients choke on <c>choices: []</c>);
    /// Anthropic clients get an input-token estimate in <c>message_start</c>, which they read before any usage arrives.
    /// </summary>
    private static StreamContext StreamContextFor(LlmRequestFeature request, Dialect client) => new()
    {
        Model = request.Model,
        IncludeUsage = !Dialects.Get(client).UsageChunkOnRequest || (request.Ir?.StreamIncludeUsage ?? true),
        EstimatedInputTokens = Dialects.Get(client).WantsInputTokenEstimate && request.Ir is { } ir ? TokenCountEndpoint.Estimate(ir) : null,
        GeminiJsonArray = request.GeminiJsonArrayStream,
    };

    private static string StreamContentType(LlmRequestFeature request) => Dialects.Get(request.Ingress.Format).StreamContentType(request.GeminiJsonArrayStream);

    private static void ReplaceBody(ResponseTransformContext context, byte[] body, string contentType)
    {
        context.ProxyResponse!.Content = new ByteArrayContent(body);
        var response = context.HttpContext.Response;
        response.Headers.Remove("Content-Encoding");
        response.Headers.ContentLength = body.Length;
        response.ContentType = contentType;
    }

    private static async Task<byte[]> ReadAllAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxTranslatedBodyBytes)
            {
                throw new InvalidDataException("the upstream's answer is larger than llm-mux translates");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task<string> ReadDetailAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var (bytes, length) = await ReadPrefixAsync(content, limit, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes, 0, length).Trim();
    }

    /// <summary>At most <paramref name="limit"/> bytes of an error body; what a broken upstream never sent is simply absent.</summary>
    private static async Task<(byte[] Bytes, int Length)> ReadPrefixAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit];
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return (buffer, await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return (buffer, 0);
        }
    }
}

/// <summary>The human message inside an upstream error body of any dialect, else the body's start as text.</summary>
internal static class UpstreamErrorMessage
{
    public static string Extract(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return SecretScrubber.Scrub(error.GetString() ?? "");
                }

                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return SecretScrubber.Scrub(message.GetString() ?? "");
                }
            }
        }
        catch (JsonException)
        {
        }

        return SecretScrubber.Scrub(body.Length > 500 ? body[..500] : body);
    }
}
