using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Errors;

/// <summary>
/// Renders an <see cref="ApiError"/> in the caller's dialect, through that dialect's own error shapes
/// (<see cref="DialectDescriptor.WriteError"/>, and its stream encoder for in-stream errors), so a gateway error and a
/// translated upstream error look the same to the client.
/// </summary>
public static class ApiErrorWriter
{
    /// <summary>Writes the error in the dialect of the endpoint the request matched (<see cref="CallerDialect"/>).</summary>
    public static Task WriteAsync(HttpContext context, ApiError error) => WriteAsync(context, CallerDialect.Of(context), error);

    public static async Task WriteAsync(HttpContext context, Dialect dialect, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Render(dialect, error), context.RequestAborted).ConfigureAwait(false);
    }

    public static byte[] Render(Dialect dialect, ApiError error) => Dialects.Get(dialect).ErrorBody(error.Status, error.Message, error.Code);

    /// <summary>
    /// The dialect's in-stream error, for a failure after the stream began: the last thing the client reads before the
    /// stream ends, written by the same encoder that ends translated streams.
    /// </summary>
    public static byte[] RenderStreamError(Dialect dialect, ApiError error) => Dialects.Get(dialect).StreamError(error.Status, error.Message, error.Code);
}
