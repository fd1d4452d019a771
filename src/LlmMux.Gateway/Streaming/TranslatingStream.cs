using LlmMux.Translation;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// Upstream stream bytes in, client-dialect events out, as each upstream event completes. A broken upstream or a
/// stream that stops mid-response ends with the client dialect's error event instead of a reset connection.
/// </summary>
internal sealed class TranslatingStream(Stream upstream, IStreamTranslator translator, Action<LlmMux.Translation.Ir.IrUsage?>? onEnd = null, UpstreamStreamState? state = null)
    : TransformingPullStream(upstream, state)
{
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            translator.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask TransformAsync(byte[] input, CancellationToken cancellationToken)
    {
        while (Output.WrittenCount == 0 && !Done)
        {
            int read;
            try
            {
                read = await ReadSourceAsync(input, cancellationToken).ConfigureAwait(false);
            }
            catch (UpstreamIdleException ex) when (!cancellationToken.IsCancellationRequested)
            {
                Fault(UpstreamStreamFault.Stalled);
                translator.WriteError(Output, ex.Message + " The answer is incomplete.", "upstream_stream_stalled");
                Done = true;
                break;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                Fault(UpstreamStreamFault.Broken);
                translator.WriteError(Output, "The upstream connection broke while streaming; the answer is incomplete.", "upstream_stream_broken");
                Done = true;
                break;
            }

            if (read == 0)
            {
                Done = true;
                onEnd?.Invoke(translator.Usage);
                try
                {
                    translator.Complete(Output);
                }
                catch (TranslationException ex)
                {
                    translator.WriteError(Output, $"The upstream stream ended early: {ex.Message}", "upstream_stream_truncated");
                }

                break;
            }

            try
            {
                translator.Feed(input.AsSpan(0, read), Output);
            }
            catch (TranslationException ex)
            {
                translator.WriteError(Output, $"The upstream sent a stream llm-mux cannot read: {ex.Message}", "upstream_stream_invalid");
                Done = true;
            }
        }
    }

    private void Fault(UpstreamStreamFault fault)
    {
        if (State is { } state)
        {
            state.Fault = fault;
        }
    }
}
