using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Management;

/// <summary>
/// Management request bodies, read by the handlers themselves (after the secret check, never by parameter binding
/// before it) and only up to a cap well below Kestrel's 30 MB.
/// </summary>
internal static class ManagementBody
{
    public const int MaxConfigBytes = 1024 * 1024;
    public const int MaxAccountFileBytes = 1024 * 1024;
    public const int MaxLoginBytes = 16 * 1024;

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> (the caller answers 413).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static IResult TooLarge(int limit)
        => Results.Json(new ErrorView(new ErrorBody($"the body is over the limit of {limit / 1024} KiB for this route", 413)), ManagementJsonContext.Default.ErrorView, statusCode: 413);
}
