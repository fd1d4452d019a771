using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.History;
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
        using var translated = TranslateRequestBody(body, from, to, overrides);
        return translated.ToArray();
    }

    /// <summary>
    /// The body <paramref name="to"/> receives. Same dialect: one top-level pass over the client's bytes that splices
    /// in the model, the reasoning fields and the overrides and keeps everything else byte for byte (nothing the size
    /// of the body is copied). Across dialects: one decode into the IR and one encode into a pooled buffer, the
    /// overrides applied to the IR, and the field overrides spliced into the encoder's output. Dispose the result.
    /// </summary>
    public RequestBody TranslateRequestBody(ReadOnlyMemory<byte> body, Dialect from, Dialect to, RequestOverrides? overrides = null)
    {
        if (from == to && !NeedsHistoryPass(body.Span, from))
        {
            return Guard(() => SameDialect(body, from, overrides));
        }

        var ir = DecodeRequest(body, from);
        return EncodeRequestBody(ir, to, overrides);
    }

    public IrRequest DecodeRequest(ReadOnlyMemory<byte> body, Dialect dialect) => Guard(() =>
    {
        try
        {
            return _registry.Get(dialect).DecodeRequest(body) with { Source = dialect };
        }
        catch (Exception ex) when (ex is TranslationException { Kind: not TranslationErrorKind.InvalidJson } || (IsShapeError(ex) && ex is not JsonException))
        {
            // A reader-based decoder meets a shape error before it has seen the whole body; broken JSON further on is
            // still what the client must hear about first.
            JsonRead.Validate(body.Span);
            throw;
        }
    });

    public byte[] EncodeRequest(IrRequest request, Dialect dialect, RequestOverrides? overrides = null)
    {
        using var encoded = EncodeRequestBody(request, dialect, overrides);
        return encoded.ToArray();
    }

    /// <summary><see cref="EncodeRequest"/> into a pooled buffer: the IR with the overrides applied, encoded once, then
    /// the field overrides (<see cref="RequestOverrides.RemoveFields"/> and the like) spliced in. Dispose the result.</summary>
    public RequestBody EncodeRequestBody(IrRequest request, Dialect dialect, RequestOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ir = IrToolPairing.Repair(HistoryRules.ForTarget(ClientMetadata.ForTarget(ApplyOverrides(request, overrides), dialect), dialect));
        return Guard(() =>
        {
            var codec = _registry.Get(dialect);
            var output = new PooledBufferWriter();
            byte[]? array;
            int length;
            try
            {
                var w = JsonWrite.Rent(output);
                try
                {
                    codec.EncodeRequest(ir, w, overrides);
                }
                finally
                {
                    JsonWrite.Return(w);
                }

                length = output.WrittenCount;
                array = output.Detach();
            }
            catch
            {
                output.Release();
                throw;
            }

            if (overrides is not { HasFieldEdits: true })
            {
                return RequestBody.Pooled(array, length);
            }

            try
            {
                return BodyPatch.Splice(array.AsMemory(0, length), FieldEdits(overrides, []), array);
            }
            catch
            {
                if (array is not null)
                {
                    ArrayPool<byte>.Shared.Return(array);
                }

                throw;
            }
        });
    }

    /// <summary>
    /// Whether a body of the upstream's own dialect still has to go through the IR and the history rules rather than
    /// be passed on as sent: it replays signatures another upstream issued (they reached the client tagged with their
    /// origin), or it is an OpenAI Chat body with Anthropic-style <c>tool_use</c> / <c>tool_result</c> parts (Cursor),
    /// which the upstream would reject. Vectorised searches, no parse; the gateway asks before passing a body on.
    /// </summary>
    public static bool NeedsHistoryPass(ReadOnlySpan<byte> body, Dialect dialect) =>
        SignatureOrigin.MayCarryTags(body)
        || (dialect == Dialect.OpenAIChat && (body.IndexOf("\"tool_use\""u8) >= 0 || body.IndexOf("\"tool_result\""u8) >= 0));

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
            if (ReplayMarking.For(from, to) is { } marking)
            {
                ir = marking.Mark(ir);
            }

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
        return _registry.Get(dialect).DecodeResponse(JsonRead.RootObject(doc)) with { Source = dialect };
    });

    public byte[] EncodeResponse(IrResponse response, Dialect dialect)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Source is { } source && ReplayMarking.For(source, dialect) is { } marking)
        {
            response = marking.Mark(response);
        }

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

        return new StreamTranslator(_registry.Get(from).CreateStreamDecoder(context, _maxEventBytes), target.CreateStreamEncoder(context))
        {
            Replay = ReplayMarking.For(from, to),
            EstimatedInputTokens = context.EstimatedInputTokens,
        };
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

        if (o.SystemPrefix is { } prefix && FirstNonEmpty(ir.System) != prefix)
        {
            ir = ir with { System = ir.System.IsDefault ? [prefix] : ir.System.Insert(0, prefix) };
        }

        return ir;
    }

    private static string? FirstNonEmpty(System.Collections.Immutable.ImmutableArray<string> system)
    {
        foreach (var s in system.IsDefault ? [] : system)
        {
            if (s.Length > 0)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>Same dialect: the edits the overrides ask for, spliced into the client's body in one pass; through
    /// the IR only when the dialect has no in-place form of an override.</summary>
    private RequestBody SameDialect(ReadOnlyMemory<byte> body, Dialect dialect, RequestOverrides? o)
    {
        var codec = _registry.Get(dialect);
        if (o is null)
        {
            return BodyPatch.Splice(body, []);
        }

        var edits = new List<BodyEdit>();
        JsonDocument? doc = null;
        try
        {
            if (o.Reasoning is { } reasoning)
            {
                // The codec reads the body (max_tokens, the last assistant turn, generationConfig) to shape its edits;
                // the edits still splice into the original bytes.
                doc = JsonRead.Parse(body);
                if (codec.ReasoningPatch(JsonRead.RootObject(doc), reasoning) is not { } patch)
                {
                    return ThroughIr(body, dialect, o);
                }

                edits.AddRange(patch);
            }

            if (codec.OverridePatch(o) is not { } overridePatch)
            {
                return ThroughIr(body, dialect, o);
            }

            if (codec.ModelPropertyName is { } modelProperty && o.Model is { } model)
            {
                var encoded = JsonEncodedText.Encode(model);
                edits.Add(new BodyEdit(modelProperty, w => w.WriteStringValue(encoded)));
            }

            edits.AddRange(overridePatch);
            return BodyPatch.Splice(body, FieldEdits(o, edits));
        }
        finally
        {
            doc?.Dispose();
        }
    }

    private RequestBody ThroughIr(ReadOnlyMemory<byte> body, Dialect dialect, RequestOverrides o) =>
        EncodeRequestBody(DecodeRequest(body, dialect), dialect, o);

    /// <summary><paramref name="edits"/> followed by the overrides' field edits: removals, forced values, defaults,
    /// then the payload rules (composed with an edit of the same property, so each property is written once).</summary>
    private static List<BodyEdit> FieldEdits(RequestOverrides o, List<BodyEdit> edits)
    {
        foreach (var name in o.RemoveFields.IsDefault ? [] : o.RemoveFields)
        {
            edits.Add(new BodyEdit(name, null));
        }

        foreach (var field in o.ForceFields.IsDefault ? [] : o.ForceFields)
        {
            edits.Add(new BodyEdit(field.Name, w => w.WriteRawValue(field.Json)));
        }

        foreach (var field in o.DefaultFields.IsDefault ? [] : o.DefaultFields)
        {
            edits.Add(new BodyEdit(field.Name, null)
            {
                Edit = (existing, w) =>
                {
                    if (IsNonEmptyString(existing))
                    {
                        return EditResult.Keep;
                    }

                    w.WriteRawValue(field.Json);
                    return EditResult.Write;
                },
            });
        }

        PayloadPatch.AddTo(edits, o.PayloadEdits);
        return edits;
    }

    private static bool IsNonEmptyString(ReadOnlySpan<byte> json) => json.Length > 2 && json[0] == (byte)'"';

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
            CompleteUsage();
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

    /// <summary>Set when the client is of another signature family than the upstream: what its replay will need.</summary>
    internal ReplayMarking? Replay { get; init; }

    /// <summary>The prompt's estimated size, for a stream whose upstream reports no usage (<see cref="UsageEstimate"/>).</summary>
    internal long? EstimatedInputTokens { get; init; }

    private readonly StreamUsageCount _generated = new();
    private bool _usageCompleted;

    public void OnEvent(IrStreamEvent e)
    {
        switch (e)
        {
            case IrUsageUpdate update:
                Usage = update.Usage;
                break;
            case IrStreamEnd:
                CompleteUsage(); // the encoder ends the client's stream on this event, usage included
                break;
            default:
                _generated.Observe(e);
                break;
        }

        _encoder.Write(Replay?.Mark(e) ?? e, _output!);
    }

    /// <summary>Before the client's stream ends: usage the upstream did not report is estimated, once.</summary>
    private void CompleteUsage()
    {
        if (_usageCompleted)
        {
            return;
        }

        _usageCompleted = true;
        if (_generated.Completion(Usage, EstimatedInputTokens) is { } completion)
        {
            Usage = completion.Usage;
            _encoder.Write(completion, _output!);
        }
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
