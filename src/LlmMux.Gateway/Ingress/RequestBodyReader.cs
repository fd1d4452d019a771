using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// Reads a request body once, capped, into a pooled buffer that grows as bytes actually arrive: a declared
/// <c>Content-Length</c> is a promise, not a reason to allocate 32 MiB before the first byte (a client trickling bytes
/// could hold such buffers for hours). Not <c>EnableBuffering</c>: that spills to disk above 30 KB, and prompts are
/// routinely larger. The buffer goes back to the pool when the request ends.
/// </summary>
internal static class RequestBodyReader
{
    /// <summary>Most up front, whatever the client declares.</summary>
    private const int MaxInitialBytes = 1024 * 1024;

    private const int MinInitialBytes = 16 * 1024;

    /// <returns>The body, or null when it is larger than <paramref name="limit"/>.</returns>
    public static async Task<PooledBody?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        var initial = declared is { } length ? (int)Math.Clamp(length + 1, MinInitialBytes, MaxInitialBytes) : MinInitialBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    var body = new PooledBody(buffer, filled);
                    buffer = null;
                    return body;
                }

                filled += read;
                if (filled > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

/// <summary>A request body in a rented array; dispose once nothing reads it any more (the end of the request).</summary>
internal sealed class PooledBody(byte[] array, int length) : IDisposable
{
    private byte[]? _array = array;

    public ReadOnlyMemory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledBody))).AsMemory(0, length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
