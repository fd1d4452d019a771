using System.Text;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Ingress;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Keeps a failed upstream answer away from the client while failover is still possible: the body is suppressed
/// and the outcome recorded, and <see cref="FailoverMiddleware"/> decides what happens next.
/// </summary>
internal sealed class UpstreamResponseTransform(TimeProvider time) : ResponseTransform
{
    private const int MaxDetailBytes = 2048;

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.ProxyResponse;
        var request = context.HttpContext.Features.Get<LlmRequestFeature>();
        if (response is null || request is null || context.HttpContext.Response.HasStarted)
        {
            return;
        }

        var status = (int)response.StatusCode;
        if (!UpstreamOutcome.AllowsFailover(status))
        {
            if (status < 300 && request.Stream)
            {
                var error = new ApiError(502, "upstream_stream_broken", "The upstream connection broke while streaming; the answer above is incomplete.");
                response.Content = new StreamFailureGuard(response.Content, ApiErrorWriter.RenderStreamError(request.Ingress.Dialect, error));
            }

            return;
        }

        context.SuppressResponseBody = true;
        var detail = await ReadDetailAsync(response.Content, context.CancellationToken).ConfigureAwait(false);
        var resetAt = status == 429 ? RateLimitResets.Find(response.Headers, detail, time.GetUtcNow()) : null;
        request.Outcome = new UpstreamOutcome(status, resetAt, detail);
    }

    private static async Task<string> ReadDetailAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxDetailBytes];
            var length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(buffer, 0, length).Trim();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return "";
        }
    }
}
