using System.Text;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// Keeps a failed upstream answer away from the client while failover is still possible: the body is suppressed
/// and the outcome recorded, and <see cref="FailoverMiddleware"/> decides what happens next.
/// </summary>
internal sealed class UpstreamResponseTransform : ResponseTransform
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
            return;
        }

        context.SuppressResponseBody = true;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        request.Outcome = new UpstreamOutcome(status, retryAfter, await ReadDetailAsync(response.Content, context.CancellationToken).ConfigureAwait(false));
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
