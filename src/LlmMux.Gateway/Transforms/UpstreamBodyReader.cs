using System.Text;

namespace LlmMux.Gateway.Transforms;

/// <summary>Reads an upstream body whole or in part, bounded; what a broken upstream never sent is simply absent.</summary>
internal static class UpstreamBodyReader
{
    private const int MaxTranslatedBodyBytes = 64 * 1024 * 1024;

    /// <summary>How much of an error body is read for its message: enough for any provider's JSON error.</summary>
    private const int MaxDetailBytes = 2048;

    public static async Task<byte[]> ReadAllAsync(HttpContent content, CancellationToken cancellationToken)
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

    /// <summary>The start of an error body as text, for its message and reset time.</summary>
    public static async Task<string> ReadDetailAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var (bytes, length) = await ReadPrefixAsync(content, MaxDetailBytes, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes, 0, length).Trim();
    }

    /// <summary>
    /// The most of an error body relayed to a client of the upstream's dialect; a larger one is replaced by the
    /// gateway's own error rather than cut into invalid JSON.
    /// </summary>
    public const int MaxRelayedErrorBytes = 64 * 1024;

    /// <summary>
    /// Reads an error body (up to one byte past <see cref="MaxRelayedErrorBytes"/>, so an oversized one is still
    /// known as such) for an error rule to read, and puts it back as the response's content, headers kept, for the
    /// classifier and the client after it. Returns it as text.
    /// </summary>
    public static async Task<string> BufferErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var original = response.Content;
        var (bytes, length) = await ReadPrefixAsync(original, MaxRelayedErrorBytes + 1, cancellationToken).ConfigureAwait(false);
        var replay = new ByteArrayContent(bytes, 0, length);
        foreach (var (name, values) in original.Headers)
        {
            if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                replay.Headers.TryAddWithoutValidation(name, values);
            }
        }

        response.Content = replay;
        original.Dispose();
        return Encoding.UTF8.GetString(bytes, 0, length).Trim();
    }

    /// <summary>At most <paramref name="limit"/> bytes of an error body.</summary>
    public static async Task<(byte[] Bytes, int Length)> ReadPrefixAsync(HttpContent content, int limit, CancellationToken cancellationToken)
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
