using System.Buffers;
using LlmMux.Translation;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// Upstream stream bytes in, client-dialect events out, as each upstream event completes. A broken upstream or a
/// stream that stops mid-response ends with the client dialect's error event instead of a reset connection.
/// </summary>
internal sealed class TranslatingStream(Stream upstream, IStreamTranslator translator, Action<LlmMux.Translation.Ir.IrUsage?>? onEnd = null) : PullStream
{
    private const int ReadSize = 16 * 1024;
    private readonly ArrayBufferWriter<byte> _output = new(ReadSize);
    private readonly byte[] _input = ArrayPool<byte>.Shared.Rent(ReadSize);
    private bool _done;

    protected override async ValueTask<ReadOnlyMemory<byte>?> FillAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return null;
        }

        _output.ResetWrittenCount();
        while (_output.WrittenCount == 0 && !_done)
        {
            int read;
            try
            {
                read = await upstream.ReadAsync(_input, cancellationToken).ConfigureAwait(false);
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
                translator.Feed(_input.AsSpan(0, read), _output);
            }
            catch (TranslationException ex)
            {
                translator.WriteError(_output, $"The upstream sent a stream llm-mux cannot read: {ex.Message}", "upstream_stream_invalid");
                _done = true;
            }
        }

        return _output.WrittenMemory;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ArrayPool<byte>.Shared.Return(_input);
            translator.Dispose();
            upstream.Dispose();
        }

        base.Dispose(disposing);
    }
}
