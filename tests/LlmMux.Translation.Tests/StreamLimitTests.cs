using System.Buffers;
using System.Text;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>Every framer holds at most <see cref="TranslatorOptions.MaxEventBytes"/> of one event, scans each byte
/// once, and fails with <see cref="StreamEventTooLargeException"/> (keeping nothing) past the limit.</summary>
public sealed class StreamLimitTests
{
    private const int Chunk = 16 * 1024;

    public static TheoryData<Dialect> StreamDialects() => [.. Enum.GetValues<Dialect>()];

    private static Translator WithLimit(int maxEventBytes) => new(new TranslatorOptions { MaxEventBytes = maxEventBytes });

    private static byte[] Filled(int length, string prefix = "")
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'a');
        Encoding.ASCII.GetBytes(prefix).CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>Feeds <paramref name="first"/> then 'a's in 16 KB chunks until the translator throws or
    /// <paramref name="max"/> bytes went in; returns the bytes accepted before the throw.</summary>
    private static long FeedEndless(IStreamTranslator t, byte[] first, long max, out StreamEventTooLargeException? thrown)
    {
        var output = new ArrayBufferWriter<byte>();
        var rest = Filled(Chunk);
        long fed = 0;
        thrown = null;
        try
        {
            for (var chunk = first; fed < max; chunk = rest)
            {
                t.Feed(chunk, output);
                fed += chunk.Length;
            }
        }
        catch (StreamEventTooLargeException ex)
        {
            thrown = ex;
        }

        return fed;
    }

    private static byte[] EndlessStart(Dialect d) =>
        Filled(Chunk, d is Dialect.Ollama or Dialect.OllamaGenerate ? "{\"response\":\"" : "data: {\"x\":\"");

    [Theory]
    [MemberData(nameof(StreamDialects))]
    public void An_endless_line_ends_the_stream_as_soon_as_it_passes_the_limit(Dialect d)
    {
        const int limit = 256 * 1024;
        using var t = WithLimit(limit).CreateStreamTranslator(d, d == Dialect.Anthropic ? Dialect.OpenAIChat : Dialect.Anthropic);
        long fed = FeedEndless(t, EndlessStart(d), 64L * limit, out var ex);

        Assert.NotNull(ex);
        Assert.Equal(limit, fed); // exactly at the limit still went in; the next chunk did not
        Assert.Equal(TranslationErrorKind.EventTooLarge, ex.Kind);
        Assert.Equal(limit, ex.MaxEventBytes);
        Assert.IsAssignableFrom<TranslationException>(ex);

        // The decoder stays failed without buffering again, and the client still gets its error event.
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<StreamEventTooLargeException>(() => t.Feed("data: {}\n\n"u8, output));
        t.WriteError(output, "too large", "upstream_stream_invalid");
        Assert.Contains("too large", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void A_streamed_json_array_element_is_bounded_too()
    {
        const int limit = 256 * 1024;
        using var t = WithLimit(limit).CreateStreamTranslator(Dialect.Gemini, Dialect.OpenAIChat);
        long fed = FeedEndless(t, Filled(Chunk, "[{\"candidates\":\""), 64L * limit, out var ex);
        Assert.NotNull(ex);
        Assert.Equal(limit, fed);
    }

    [Theory]
    [InlineData(Dialect.OpenAIChat, "data: {\"x\":\"")]
    [InlineData(Dialect.Ollama, "{\"message\":\"")]
    [InlineData(Dialect.Gemini, "[{\"candidates\":\"")]
    public void The_default_translator_stops_at_16_MiB(Dialect d, string start)
    {
        using var t = Translator.Default.CreateStreamTranslator(d, Dialect.Anthropic);
        long fed = FeedEndless(t, Filled(Chunk, start), 64L * 1024 * 1024, out var ex);
        Assert.NotNull(ex);
        Assert.Equal(TranslatorOptions.DefaultMaxEventBytes, fed);
        Assert.Equal(16 * 1024 * 1024, TranslatorOptions.Default.MaxEventBytes);
    }

    [Fact]
    public void The_largest_limit_does_not_overflow_the_size_checks()
    {
        var input = Fixture.Bytes("openai/stream_tools.sse");
        Assert.Equal(FramingTests.Normalise(StreamRun.Translate(Dialect.OpenAIChat, Dialect.Anthropic, input)),
            FramingTests.Normalise(StreamRun.Translate(Dialect.OpenAIChat, Dialect.Anthropic, input, chunk: 7, translator: WithLimit(int.MaxValue))));
    }

    [Fact]
    public void An_invalid_limit_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WithLimit(0));
        Assert.Throws<ArgumentNullException>(() => new Translator(null!));
    }

    private sealed class Frames : IFrameHandler
    {
        public List<(string Event, string Data)> Seen { get; } = [];

        public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data) =>
            Seen.Add((Encoding.UTF8.GetString(eventName), Encoding.UTF8.GetString(data.Span)));
    }

    [Fact]
    public void Each_framer_scans_every_byte_once_and_keeps_nothing_after_the_limit()
    {
        const long total = 64L * 1024 * 1024;
        var chunk = Filled(Chunk);
        var frames = new Frames();

        using var sse = new SseFramer(TranslatorOptions.DefaultMaxEventBytes);
        long fed = 0;
        Assert.Throws<StreamEventTooLargeException>(() =>
        {
            for (; fed < total; fed += Chunk)
            {
                sse.Feed(chunk, frames);
            }
        });
        Assert.Equal(TranslatorOptions.DefaultMaxEventBytes, fed);
        Assert.InRange(sse.BytesScanned, 0, fed + Chunk);
        Assert.InRange(sse.BufferCapacity, 0, 3 * 4096);

        using var ndjson = new NdjsonFramer(TranslatorOptions.DefaultMaxEventBytes);
        fed = 0;
        Assert.Throws<StreamEventTooLargeException>(() =>
        {
            for (; fed < total; fed += Chunk)
            {
                ndjson.Feed(chunk, frames);
            }
        });
        Assert.Equal(TranslatorOptions.DefaultMaxEventBytes, fed);
        Assert.InRange(ndjson.BytesScanned, 0, fed + Chunk);
        Assert.InRange(ndjson.BufferCapacity, 0, 4096);

        using var array = new JsonArrayFramer(TranslatorOptions.DefaultMaxEventBytes);
        fed = 0;
        Assert.Throws<StreamEventTooLargeException>(() =>
        {
            array.Feed("[{\"a\":\""u8, frames);
            for (; fed < total; fed += Chunk)
            {
                array.Feed(chunk, frames);
            }
        });
        Assert.InRange(array.BufferCapacity, 0, 4096);
        Assert.Empty(frames.Seen);
    }

    [Theory]
    [InlineData("openai/stream_tools.sse")]
    [InlineData("ollama/stream_tools.ndjson")]
    public void A_stream_fed_byte_by_byte_is_scanned_once(string fixture)
    {
        var input = Fixture.Bytes(fixture);
        var frames = new Frames();
        long scanned;
        if (fixture.EndsWith(".sse", StringComparison.Ordinal))
        {
            using var f = new SseFramer(TranslatorOptions.DefaultMaxEventBytes);
            foreach (var b in input)
            {
                f.Feed([b], frames);
            }

            scanned = f.BytesScanned;
        }
        else
        {
            using var f = new NdjsonFramer(TranslatorOptions.DefaultMaxEventBytes);
            foreach (var b in input)
            {
                f.Feed([b], frames);
            }

            scanned = f.BytesScanned;
        }

        Assert.Equal(input.Length, scanned);
        Assert.NotEmpty(frames.Seen);
    }

    /// <summary>Feeds <paramref name="input"/> split in two at every point and returns the frames (or throws).</summary>
    private static List<(string, string)> EverySplit(Func<(Action<ReadOnlySpan<byte>, IFrameHandler> Feed, Action<IFrameHandler> Complete, IDisposable Framer)> create, byte[] input)
    {
        List<(string, string)>? first = null;
        for (int split = 0; split <= input.Length; split++)
        {
            var frames = new Frames();
            var (feed, complete, framer) = create();
            using (framer)
            {
                feed(input.AsSpan(0, split), frames);
                feed(input.AsSpan(split), frames);
                complete(frames);
            }

            first ??= frames.Seen;
            Assert.Equal(first, frames.Seen);
        }

        return first!;
    }

    private static (Action<ReadOnlySpan<byte>, IFrameHandler>, Action<IFrameHandler>, IDisposable) Sse(int limit)
    {
        var f = new SseFramer(limit);
        return (f.Feed, h => f.Complete(h), f);
    }

    private static (Action<ReadOnlySpan<byte>, IFrameHandler>, Action<IFrameHandler>, IDisposable) Ndjson(int limit)
    {
        var f = new NdjsonFramer(limit);
        return (f.Feed, h => f.Complete(h), f);
    }

    private static (Action<ReadOnlySpan<byte>, IFrameHandler>, Action<IFrameHandler>, IDisposable) Array(int limit)
    {
        var f = new JsonArrayFramer(limit);
        return (f.Feed, _ => { }, f);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Sse_lines_and_events_exactly_at_the_limit_pass_at_every_split(string eol)
    {
        const int limit = 64;
        var line = "data: " + new string('x', limit - 6); // a line of exactly the limit
        var frames = EverySplit(() => Sse(limit), Encoding.ASCII.GetBytes($"event: e{eol}{line}{eol}{eol}{line}"));
        Assert.Equal([("e", line[6..]), ("", line[6..])], frames);

        // Two data lines whose joined data (with the \n between them) is exactly the limit.
        var joined = EverySplit(() => Sse(limit), Encoding.ASCII.GetBytes($"data: {new string('y', 31)}{eol}data: {new string('z', 32)}{eol}{eol}"));
        Assert.Equal(limit, joined.Single().Item2.Length);

        foreach (var over in new[] { $"{line}x{eol}{eol}", $"{line}x", $"data: {new string('y', 32)}{eol}data: {new string('z', 32)}{eol}{eol}" })
        {
            Assert.Throws<StreamEventTooLargeException>(() => EverySplit(() => Sse(limit), Encoding.ASCII.GetBytes(over)));
        }
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Ndjson_lines_exactly_at_the_limit_pass_at_every_split(string eol)
    {
        const int limit = 64;
        var line = "{\"a\":\"" + new string('x', limit - 8) + "\"}";
        Assert.Equal(2, EverySplit(() => Ndjson(limit), Encoding.ASCII.GetBytes(line + eol + line)).Count);
        Assert.Throws<StreamEventTooLargeException>(() => EverySplit(() => Ndjson(limit), Encoding.ASCII.GetBytes(line + " " + eol)));
        Assert.Throws<StreamEventTooLargeException>(() => EverySplit(() => Ndjson(limit), Encoding.ASCII.GetBytes(line + " ")));
    }

    [Fact]
    public void Json_array_elements_exactly_at_the_limit_pass_at_every_split()
    {
        const int limit = 64;
        var element = "{\"a\":\"" + new string('x', limit - 8) + "\"}";
        Assert.Equal(2, EverySplit(() => Array(limit), Encoding.ASCII.GetBytes($"[{element},\n {element}]")).Count);
        Assert.Throws<StreamEventTooLargeException>(() => EverySplit(() => Array(limit), Encoding.ASCII.GetBytes($"[{element[..^1]} }}]")));
    }

    public static TheoryData<Dialect, string, bool> Fixtures()
    {
        var data = new TheoryData<Dialect, string, bool>();
        foreach (var (d, f) in CrossMatrixTests.Fixtures)
        {
            data.Add(d, f.ToolStream, false);
            data.Add(d, f.ToolStream, true);
        }

        data.Add(Dialect.OpenAICompletions, "completions/stream_text.sse", false);
        data.Add(Dialect.OpenAICompletions, "completions/stream_text.sse", true);
        data.Add(Dialect.OllamaGenerate, "ollama/stream_generate.ndjson", false);
        return data;
    }

    /// <summary>With the limit set to the fixture's longest line, every split still frames the same events and the
    /// stream translates as with the default limit; one byte less and the stream fails.</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Real_streams_at_a_tight_limit_frame_the_same_at_every_split(Dialect d, string fixture, bool crlf)
    {
        var text = Fixture.Text(fixture);
        if (crlf)
        {
            text = System.Text.RegularExpressions.Regex.Replace(text, "(?<!\r)\n", "\r\n"); // some fixtures are CRLF already
        }

        var input = Encoding.UTF8.GetBytes(text);
        int longest = text.Split('\n').Max(l => Encoding.UTF8.GetByteCount(l.TrimEnd('\r')));
        bool ndjson = fixture.EndsWith(".ndjson", StringComparison.Ordinal);
        Assert.NotEmpty(EverySplit(() => ndjson ? Ndjson(longest) : Sse(longest), input));

        var expected = FramingTests.Normalise(StreamRun.Translate(d, Dialect.OpenAIChat, input));
        Assert.Equal(expected, FramingTests.Normalise(StreamRun.Translate(d, Dialect.OpenAIChat, input, translator: WithLimit(longest))));
        Assert.Equal(expected, FramingTests.Normalise(StreamRun.Translate(d, Dialect.OpenAIChat, input, chunk: 1, translator: WithLimit(longest))));
        Assert.Throws<StreamEventTooLargeException>(() => StreamRun.Translate(d, Dialect.OpenAIChat, input, chunk: 7, translator: WithLimit(longest - 1)));
    }

    [Fact]
    public void The_usage_tap_stops_at_an_oversized_event_and_says_so()
    {
        var input = Fixture.Bytes("openai/stream_tools.sse");
        using var normal = Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: true);
        normal.Feed(input);
        Assert.NotNull(normal.Complete());
        Assert.False(normal.EventTooLarge);

        using var tap = WithLimit(1024).CreateUsageTap(Dialect.OpenAIChat, stream: true);
        tap.Feed(input);
        var usage = tap.Complete();
        tap.Feed(Filled(2048, "data: "));
        Assert.True(tap.EventTooLarge);
        tap.Feed(Filled(Chunk)); // ignored: nothing grows, nothing throws
        Assert.Equal(usage, tap.Complete());

        using var broken = Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: true);
        broken.Feed("data: {not json\n\n"u8);
        Assert.False(broken.EventTooLarge); // broken, but not for size

        using var body = Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: false);
        Assert.False(body.EventTooLarge);
    }
}
