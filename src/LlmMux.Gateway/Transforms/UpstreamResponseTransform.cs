using System.Buffers;
using System.Text;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Security;
using LlmMux.Gateway.Streaming;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Shapes the upstream answer for the client, after <see cref="AttemptClassifier"/> has read its status. A failed
/// answer that another account may not give is kept away from the client while failover is still possible (body
/// suppressed, result left on the <see cref="AttemptFeature"/> for passive health and <see cref="FailoverMiddleware"/>).
/// A good answer passes through when the client speaks the upstream's dialect, else it is translated: whole bodies
/// at once, streams event by event through a translating stream that YARP's own copy loop pulls from.
/// </summary>
internal sealed class UpstreamResponseTransform(TimeProvider time, Translator translator) : ResponseTransform
{
    private const int MaxPassedErrorBytes = UpstreamBodyReader.MaxRelayedErrorBytes;

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.ProxyResponse;
        var attempt = context.HttpContext.Features.Get<AttemptFeature>();
        if (response is null || attempt is null || context.HttpContext.Response.HasStarted)
        {
            return;
        }

        var request = attempt.Request;
        var target = attempt.Target;
        var answer = await AttemptClassifier.ClassifyAnswerAsync(response, attempt, time.GetUtcNow(), context.CancellationToken).ConfigureAwait(false);
        attempt.Answer = answer;
        if (answer is AttemptResult.Failure)
        {
            context.SuppressResponseBody = true;
            return;
        }

        var upstream = target.Protocol.Dialect;
        var client = request.Ingress.Format;
        var clientResponse = context.HttpContext.Response;
        if (answer is AttemptResult.ClientError { Status: var status })
        {
            if (upstream != client)
            {
                // A client error from an upstream of another dialect: same status, the upstream's message, the client's shape.
                var detail = await UpstreamBodyReader.ReadDetailAsync(response.Content, context.CancellationToken).ConfigureAwait(false);
                var error = new ApiError(status, "upstream_rejected", UpstreamErrorMessage.Extract(detail));
                ReplaceBody(context, ApiErrorWriter.Render(request.Ingress.ErrorDialect, error), "application/json");
            }
            else
            {
                // The client reads this dialect itself, so the body stays the upstream's, but never with a key in it
                // (some OpenAI-compatible servers echo the key they were sent). Error bodies are small: one larger than
                // MaxPassedErrorBytes is replaced by the gateway's own error rather than cut into invalid JSON.
                var (bytes, length) = await UpstreamBodyReader.ReadPrefixAsync(response.Content, MaxPassedErrorBytes + 1, context.CancellationToken).ConfigureAwait(false);
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
        attempt.StreamState = watch;
        if (request.Operation is { } operation)
        {
            await Operations.OperationAnswer.ApplyAsync(context, attempt, operation, watch, translator, time).ConfigureAwait(false);
            return;
        }

        if (request.Stream)
        {
            var errorEvents = new StreamErrorEvents(request.Ingress.ErrorDialect);
            Action<LlmMux.Translation.Ir.IrUsage?> recordUsage = usage => attempt.Usage = usage;
            Func<Stream, Stream> wrap = upstream == client
                ? s => new PassThroughStream(s, translator.CreateUsageTap(upstream, stream: true), recordUsage, errorEvents, watch)
                : s => new TranslatingStream(s, translator.CreateStreamTranslator(upstream, client, StreamContextFor(request, client)), recordUsage, watch);
            if (request.GeminiJsonArrayStream && upstream == client)
            {
                // A translated stream is framed as an array by its encoder; a passed-through one is re-framed here.
                var inner = wrap;
                wrap = s => new TranslatingStream(inner(s), translator.CreateGeminiJsonArrayFramer());
            }

            response.Content = new PullStreamContent(response.Content, wrap);
            clientResponse.Headers.ContentLength = null;
            clientResponse.ContentType = StreamContentType(request);
            return;
        }

        if (target.Protocol.AlwaysStreams && !request.IsCountTokens)
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

            ReplaceWithTranslated(context, attempt, completed, upstream, client);
            return;
        }

        if (request.IsCountTokens && upstream != client)
        {
            // Another dialect's counter (CountsTokensForEveryDialect): its number, in the client's shape.
            var counted = await UpstreamBodyReader.ReadAllAsync(response.Content, context.CancellationToken).ConfigureAwait(false);
            var count = TokenCountEndpoint.Translate(counted, client);
            if (count is null)
            {
                clientResponse.StatusCode = 502;
                count = ApiErrorWriter.Render(request.Ingress.ErrorDialect, new ApiError(502, "upstream_invalid", "The upstream's token count could not be read."));
            }

            ReplaceBody(context, count, "application/json");
            return;
        }

        if (upstream == client)
        {
            response.Content = new PullStreamContent(response.Content,
                s => new PassThroughStream(s, translator.CreateUsageTap(upstream, stream: false), usage => attempt.Usage = usage, errorEvents: null, state: watch));
        }
        else
        {
            var bytes = await UpstreamBodyReader.ReadAllAsync(response.Content, context.CancellationToken).ConfigureAwait(false);
            ReplaceWithTranslated(context, attempt, bytes, upstream, client);
        }
    }

    /// <summary>A whole answer, decoded once: its usage is recorded and, for another dialect, it is re-encoded from the same IR.</summary>
    private void ReplaceWithTranslated(ResponseTransformContext context, AttemptFeature attempt, byte[] bytes, Dialect upstream, Dialect client)
    {
        var request = attempt.Request;
        byte[] translated;
        try
        {
            var ir = translator.DecodeResponse(bytes, upstream);
            if (upstream != client)
            {
                ir = UsageEstimate.Complete(ir, request.Ir is { } asked ? TokenCountEndpoint.Estimate(asked) : null);
            }

            attempt.Usage = ir.Usage;
            translated = upstream == client ? bytes : translator.EncodeResponse(ir with { Model = request.Model }, client);
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
    private async Task<byte[]?> CollectCompletedAsync(HttpContent content, CancellationToken clientAborted, CancellationToken cancellationToken)
    {
        using var collector = translator.CreateCompletedResponseCollector();
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
    /// Anthropic clients get an input-token estimate in <c>message_start</c>, which they read before any usage arrives;
    /// every client gets it in the final usage when the upstream reports none (<see cref="UsageEstimate"/>).
    /// </summary>
    private static StreamContext StreamContextFor(LlmRequest request, Dialect client) => new()
    {
        Model = request.Model,
        IncludeUsage = !Dialects.Get(client).UsageChunkOnRequest || (request.Ir?.StreamIncludeUsage ?? true),
        EstimatedInputTokens = request.Ir is { } ir ? TokenCountEndpoint.Estimate(ir) : null,
        GeminiJsonArray = request.GeminiJsonArrayStream,
    };

    private static string StreamContentType(LlmRequest request) => Dialects.Get(request.Ingress.Format).StreamContentType(request.GeminiJsonArrayStream);

    internal static void ReplaceBody(ResponseTransformContext context, byte[] body, string contentType)
    {
        context.ProxyResponse!.Content = new ByteArrayContent(body);
        var response = context.HttpContext.Response;
        response.Headers.Remove("Content-Encoding");
        response.Headers.ContentLength = body.Length;
        response.ContentType = contentType;
    }
}
