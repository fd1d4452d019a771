using System.Buffers;
using LlmMux.Translation;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// Upstream stream bytes in, client-dialect events out, as each upstream event completes. A broken upstream or a
/// stream that stops mid-response ends with the client dialect's error event instead of a reset connection.
/// </summary>
internal sealed class TranslatingStream(Stream upstream, IStreamTranslator translator, Action<LlmMux.Translation.Ir.IrUsage?>? onEnd = null) : PullStream(upstream)
{
    private const int ReadSize = 16 * 1024;
    private readonly PooledBufferWriter _output = new();
    private bool _done;

    protected override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return null;
        }

        _output.Release();
        var input = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            await FillFromAsync(input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The translator keeps any partial event itself, so the input buffer is free once a read is translated.
            ArrayPool<byte>.Shared.Return(input);
        }

        return _output.WrittenMemory;
    }

    protected override void Drained() => _output.Release();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _output.Dispose();
            translator.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask FillFromAsync(byte[] input, CancellationToken cancellationToken)
    {
        while (_output.WrittenCount == 0 && !_done)
        {
            int read;
            try
            {
                read = await ReadSourceAsync(input, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                translator.WriteError(_output, "The upstream connection broke while streaming; the answer is incomplete.", "upstream_stream_broken");
                _done = true;
                break;
            }

            if (read == 0)
            {
                _done = true;
                onEnd?.Invoke(translator.Usage);
                try
                {
                    translator.Complete(_output);
                }
                catch (TranslationException ex)
                {
                    translator.WriteError(_output, $"The upstream stream ended early: {ex.Message}", "upstream_stream_truncated");
                }

                break;
            }

            try
            {
                translator.Feed(input.AsSpan(0, read), _output);
            }
            catch (TranslationException ex)
            {
                translator.WriteError(_output, $"The upstream sent a stream llm-mux cannot read: {ex.Message}", "upstream_stream_invalid");
                _done = true;
            }
        }
    }
}
