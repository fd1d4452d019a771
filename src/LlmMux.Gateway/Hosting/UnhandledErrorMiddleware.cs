using LlmMux.Gateway.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Hosting;

/// <summary>A bug must cost one request an error in its own dialect, never the process.</summary>
internal sealed partial class UnhandledErrorMiddleware(RequestDelegate next, ILogger<UnhandledErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogUnhandled(logger, ex, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await ApiErrorWriter.WriteAsync(context, ApiError.Internal()).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(100, LogLevel.Error, "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
