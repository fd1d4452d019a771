using System.Buffers;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Security;
using LlmMux.Translation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Endpoints;

/// <summary>
/// What Claude Code calls on its base URL besides the Messages API, answered here at once: <c>HEAD /</c> (and
/// <c>GET /</c>) and <c>GET /api/hello</c> are its connectivity checks; <c>POST /api/event_logging/batch</c> (and
/// <c>/v2/batch</c>) is its telemetry, read to the end and dropped (never forwarded, never logged). A 404 or 401 here
/// makes Claude Code report the gateway as unreachable or queue its events on disk, so none of these needs a key;
/// they carry nothing and answer nothing but <c>{"status":"ok"}</c>.
/// </summary>
internal static class ClaudeCodeProbeEndpoints
{
    /// <summary>A telemetry batch is some hundreds of events: far below this; anything above is refused unread.</summary>
    internal const int EventBatchLimit = 4 * 1024 * 1024;

    private const string Ok = "{\"status\":\"ok\"}";

    public static IEndpointRouteBuilder MapClaudeCodeProbes(this IEndpointRouteBuilder endpoints)
    {
        var anthropic = new DialectMetadata(Dialect.Anthropic);
        endpoints.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], () => Results.Text(Ok, "application/json")).AsProbe();
        endpoints.MapGet("/api/hello", () => Results.Text(Ok, "application/json")).AsProbe().WithMetadata(anthropic);

        // Not a probe: the browser guard's host, origin and content-type checks still apply, and so does the rate limit.
        foreach (var path in (string[])["/api/event_logging/batch", "/api/event_logging/v2/batch"])
        {
            endpoints.MapPost(path, DropEventsAsync).AllowAnonymous().WithMetadata(anthropic);
        }

        return endpoints;
    }

    private static async Task DropEventsAsync(HttpContext context)
    {
        if (!await DrainAsync(context.Request, EventBatchLimit, context.RequestAborted).ConfigureAwait(false))
        {
            await ApiErrorWriter.WriteAsync(context, Dialect.Anthropic,
                new ApiError(413, "request_too_large", $"An event batch is at most {EventBatchLimit / (1024 * 1024)} MiB.")).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Ok, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Reads the body to its end through one small pooled buffer; false as soon as it passes <paramref name="limit"/>.</summary>
    private static async Task<bool> DrainAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
