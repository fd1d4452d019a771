using System.Buffers;
using LlmMux.Translation;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// A <see cref="PullStream"/> that reads the source into a pooled input buffer and writes what it makes of it into a
/// pooled output buffer; both go back to the pool between chunks.
/// </summary>
internal abstract class TransformingPullStream(Stream source, UpstreamStreamState? state) : PullStream(source, state)
{
    private const int ReadSize = 16 * 1024;

    protected PooledBufferWriter Output { get; } = new();

    /// <summary>Set once the last bytes are in <see cref="Output"/>; the next fill ends the stream.</summary>
    protected bool Done { get; set; }

    protected sealed override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (Done)
        {
            return null;
        }

        Output.Release();
        var input = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            await TransformAsync(input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever a partial event needs is kept by the transformer itself, so the input is free after each fill.
            ArrayPool<byte>.Shared.Return(input);
        }

        return Output.WrittenMemory;
    }

    /// <summary>Reads the source (through <see cref="PullStream.ReadSourceAsync"/>) into <paramref name="input"/> until <see cref="Output"/> holds something or <see cref="Done"/>.</summary>
    protected abstract ValueTask TransformAsync(byte[] input, CancellationToken cancellationToken);

    protected override void Drained() => Output.Release();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Output.Dispose();
        }

        base.Dispose(disposing);
    }
}
