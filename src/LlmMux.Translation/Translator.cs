using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation;

/// <summary>The gateway-facing facade: translates request bodies, response bodies and streams between dialects.
/// Thread-safe; stream translators are per stream and not thread-safe.</summary>
public sealed class Translator
{
    private readonly DialectRegistry _registry;
    private readonly int _maxEventBytes;

    /// <summary>A translator with other limits than <see cref="Default"/>'s.</summary>
    public Translator(TranslatorOptions options)
        : this(DialectRegistry.Default, options ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    internal Translator(DialectRegistry registry, TranslatorOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEventBytes, 1, nameof(options));
        _registry = registry;
        _maxEventBytes = options.MaxEventBytes;
    }

    public static Translator Default { get; } = new(DialectRegistry.Default, TranslatorOptions.Default);

    public byte[] TranslateRequest(ReadOnlySpan<byte> body, Dialect from, Dialect to, RequestOverrides? overrides = null) =>
        TranslateRequest(new ReadOnlyMemory<byte>(body.ToArray()), from, to, overrides);

    public byte[] TranslateRequest(ReadOnlyMemory<byte> body, Dialect from, Dialect to, RequestOverrides? overrides = null)
    {
        return Guard(() =>
        {
            using var doc = JsonRead.Parse(body);
            var root = JsonRead.RootObject(doc);
            if (from == to && overrides?.Reasoning is null)
            {
                // Same dialect: keep the body as sent (unknown fields included), only the model may change.
                return PatchModel(root, _registry.Get(from).ModelPropertyName, overrides?.Model);
            }

            if (from == to && _registry.Get(from).ReasoningPatch(root, overrides!.Reasoning!) is { } edits)
            {
                // A reasoning override (model suffix) on a same-dialect body: edit those fields, keep the rest
                // (Anthropic cache_control breakpoints in particular) byte for byte.
                var codec = _registry.Get(from);
                if (codec.ModelPropertyName is { } modelProperty && overrides.Model is { } model)
                {
                    edits = [.. edits, new BodyEdit(modelProperty, w => w.WriteStringValue(model))];
                }

                return BodyPatch.Apply(root, edits);
            }

            var ir = IrToolPairing.Repair(ApplyOverrides(_registry.Get(from).DecodeRequest(root), overrides));
            return JsonWrite.ToBytes(w => _registry.Get(to).EncodeRequest(ir, w, overrides));
        });
    }

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body, Dialect dialect) => Guard(() =>
    {
        using var doc = JsonRead.Parse(body);
        return _registry.Get(dialect).DecodeRequest(JsonRead.RootObject(doc));
    });

    public byte[] EncodeRequest(IrRequest request, Dialect dialect, RequestOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ir = IrToolPairing.Repair(ApplyOverrides(request, overrides));
        return Guard(() => JsonWrite.ToBytes(w => _registry.Get(dialect).EncodeRequest(ir, w, overrides)));
    }

    /// <summary>Translates a non-streaming response body. <paramref name="clientModel"/> replaces the upstream model id when given.</summary>
    public byte[] TranslateResponse(ReadOnlyMemory<byte> body, Dialect from, Dialect to, string? clientModel = null)
    {
        return Guard(() =>
        {
            using var doc = JsonRead.Parse(body);
            var root = JsonRead.RootObject(doc);
            if (from == to)
            {
                var (envelope, property) = _registry.Get(from).ResponseModelPath;
                return PatchModel(root, property, clientModel, envelope);
            }

            var ir = _registry.Get(from).DecodeResponse(root);
            if (clientModel is not null)
            {
                ir = ir with { Model = clientModel };
            }

            return JsonWrite.ToBytes(w => _registry.Get(to).EncodeResponse(ir, w));
        });
    }

    public byte[] TranslateResponse(ReadOnlySpan<byte> body, Dialect from, Dialect to, string? clientModel = null) =>
        TranslateResponse(new ReadOnlyMemory<byte>(body.ToArray()), from, to, clientModel);

    public IrResponse DecodeResponse(ReadOnlyMemory<byte> body, Dialect dialect) => Guard(() =>
    {
        using var doc = JsonRead.Parse(body);
        return _registry.Get(dialect).DecodeResponse(JsonRead.RootObject(doc));
    });

    public byte[] EncodeResponse(IrResponse response, Dialect dialect)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Guard(() => JsonWrite.ToBytes(w => _registry.Get(dialect).EncodeResponse(response, w)));
    }

    /// <summary>
    /// Reads the token usage out of an upstream answer that is passed through untranslated, with the dialect's usage
    /// scan: a stream (framed event by event, only usage objects parsed) or a whole JSON body (kept up to a cap,
    /// scanned at the end).
    /// </summary>
    public IUsageTap CreateUsageTap(Dialect dialect, bool stream)
    {
        var descriptor = _registry.Describe(dialect);
        return stream
            ? new StreamUsageTap(descriptor.StreamFraming, descriptor.CreateUsageScanner(), _maxEventBytes)
            : new BodyUsageTap(descriptor.CreateUsageScanner());
    }

    /// <summary>
    /// For a Gemini stream passed through to a client that asked for Gemini's JSON-array framing (no <c>alt=sse</c>):
    /// re-frames the upstream's SSE events as array elements, copying each as it is. Translated streams get the same
    /// framing from the encoder itself (<see cref="StreamContext.GeminiJsonArray"/>).
    /// </summary>
    public IStreamTranslator CreateGeminiJsonArrayFramer() => new Gemini.GeminiJsonArrayFramer(_maxEventBytes);

    /// <summary>
    /// For an upstream that always streams Responses SSE (Codex) while the client wants one body: frames the stream
    /// as it arrives and keeps only the <c>response</c> object of the last <c>response.completed</c> (or
    /// <c>response.done</c>) event, so the whole stream is never held.
    /// </summary>
    public ICompletedResponseCollector CreateCompletedResponseCollector() => new CompletedResponseCollector(_maxEventBytes);

    /// <summary>An incremental translator for one upstream stream in <paramref name="from"/> to a client in <paramref name="to"/>.</summary>
    public IStreamTranslator CreateStreamTranslator(Dialect from, Dialect to, StreamContext? context = null)
    {
        context ??= StreamContext.Default;
        var target = _registry.Get(to);
        if (from == to && context.Model is null)
        {
            return new PassthroughStreamTranslator(target.CreateStreamEncoder(context));
        }

        return new StreamTranslator(_registry.Get(from).CreateStreamDecoder(context, _maxEventBytes), target.CreateStreamEncoder(context));
    }

    internal static T Guard<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (Exception ex) when (IsShapeError(ex))
        {
            throw Wrap(ex);
        }
    }

    internal static bool IsShapeError(Exception ex) =>
        ex is InvalidOperationException or FormatException or KeyNotFoundException or IndexOutOfRangeException
            or OverflowException or ArgumentException or JsonException;

    internal static TranslationException Wrap(Exception ex) => ex is JsonException
        ? new TranslationException(TranslationErrorKind.InvalidJson, "invalid JSON: " + ex.Message, ex)
        : new TranslationException(TranslationErrorKind.WrongType, "unexpected JSON shape: " + ex.Message, ex);

    private static IrRequest ApplyOverrides(IrRequest ir, RequestOverrides? o)
    {
        if (o is null)
        {
            return ir;
        }

        if (o.Model is not null)
        {
            ir = ir with { Model = o.Model };
        }

        if (o.Reasoning is not null)
        {
            ir = ir with { Params = ir.Params with { Reasoning = o.Reasoning } };
        }

        if (o.Stream is { } stream)
        {
            ir = ir with { Stream = stream };
        }

        return ir;
    }

    private static byte[] PatchModel(JsonElement root, string? property, string? model, string? envelope = null)
    {
        if (property is null || model is null)
        {
            return JsonWrite.ToBytes(root.WriteTo);
        }

        return JsonWrite.ToBytes(w => WritePatched(w, root, property, model, envelope));
    }

    private static void WritePatched(Utf8JsonWriter w, JsonElement root, string property, string model, string? envelope)
    {
        if (envelope is not null)
        {
            w.WriteStartObject();
            foreach (var p in root.EnumerateObject())
            {
                if (p.NameEquals(envelope) && p.Value.ValueKind == JsonValueKind.Object)
                {
                    w.WritePropertyName(envelope);
                    WritePatched(w, p.Value, property, model, null);
                }
                else
                {
                    p.WriteTo(w);
                }
            }

            w.WriteEndObject();
            return;
        }

        {
            w.WriteStartObject();
            bool written = false;
            foreach (var p in root.EnumerateObject())
            {
                if (p.NameEquals(property))
                {
                    w.WriteString(property, model);
                    written = true;
                }
                else
                {
                    p.WriteTo(w);
                }
            }

            if (!written)
            {
                w.WriteString(property, model);
            }

            w.WriteEndObject();
        }
    }
}

/// <summary>Incremental stream translation for one upstream response.</summary>
public interface IStreamTranslator : IDisposable
{
    /// <summary>Consumes upstream bytes (split anywhere) and writes every client event that became complete.</summary>
    void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output);

    /// <summary>Upstream ended: writes pending events and the client terminator. Throws a TruncatedStream
    /// <see cref="TranslationException"/> (after writing nothing more) when the upstream stopped mid-response;
    /// the caller should then <see cref="WriteError"/>.</summary>
    void Complete(IBufferWriter<byte> output);

    /// <summary>Writes an error event in the client dialect and terminates the client stream.</summary>
    void WriteError(IBufferWriter<byte> output, string message, string? code = null);

    /// <summary>The latest token usage the upstream stream reported, if any (null for pass-through translators).</summary>
    Ir.IrUsage? Usage => null;
}

internal sealed class StreamTranslator : IStreamTranslator, IIrEventSink
{
    private readonly IStreamDecoder _decoder;
    private readonly IStreamEncoder _encoder;
    private IBufferWriter<byte>? _output;

    public StreamTranslator(IStreamDecoder decoder, IStreamEncoder encoder)
    {
        _decoder = decoder;
        _encoder = encoder;
    }

    public void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        _output = output;
        try
        {
            _decoder.Feed(chunk, this);
        }
        catch (Exception ex) when (Translator.IsShapeError(ex))
        {
            throw Translator.Wrap(ex);
        }
        finally
        {
            _output = null;
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        if (_errorWritten)
        {
            return; // the client stream was already ended by WriteError; what the upstream lacked no longer matters
        }

        _output = output;
        try
        {
            _decoder.Complete(this);
            _encoder.Complete(output);
        }
        catch (Exception ex) when (Translator.IsShapeError(ex))
        {
            throw Translator.Wrap(ex);
        }
        finally
        {
            _output = null;
        }
    }

    public void WriteError(IBufferWriter<byte> output, string message, string? code = null)
    {
        _errorWritten = true;
        _encoder.WriteError(output, 500, message, code);
    }

    private bool _errorWritten;

    public IrUsage? Usage { get; private set; }

    public void OnEvent(IrStreamEvent e)
    {
        if (e is IrUsageUpdate update)
        {
            Usage = update.Usage;
        }

        _encoder.Write(e, _output!);
    }

    public void Dispose() => _decoder.Dispose();
}

/// <summary>Same dialect on both sides: bytes are forwarded untouched.</summary>
internal sealed class PassthroughStreamTranslator(IStreamEncoder encoder) : IStreamTranslator
{
    public void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(chunk);
    }

    public void Complete(IBufferWriter<byte> output)
    {
    }

    public void WriteError(IBufferWriter<byte> output, string message, string? code = null) => encoder.WriteError(output, 500, message, code);

    public void Dispose()
    {
    }
}
