using System.Text;
using System.Threading.Channels;
using LlmMux.Gateway.Streaming;
using LlmMux.Translation;
using LlmMux.Translation.Ir;

namespace LlmMux.Gateway.Tests.Streaming;

/// <summary>
/// The empty "is there data?" read YARP issues before renting its copy buffer must wait for the upstream, not answer
/// at once: that is what keeps an idle open stream from holding buffers. And it must not change what the client gets.
/// </summary>
public sealed class PullStreamTests
{
    private const string Chunk = """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}""" + "\n\n";

    [Fact]
    public async Task An_empty_read_waits_for_the_upstream_and_the_data_then_flows()
    {
        var upstream = new ScriptedStream();
        await using var stream = new PassThroughStream(upstream, Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: true), _ => { }, errorEvents: null);

        var wait = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await upstream.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the empty read reached the upstream ...
        Assert.False(wait.IsCompleted);                                 // ... and waits there

        upstream.Send(Chunk);
        Assert.Equal(0, await wait.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(Chunk, await ReadOnceAsync(stream));
    }

    [Fact]
    public async Task A_translated_stream_waits_the_same_way_and_translates_after()
    {
        var upstream = new ScriptedStream();
        await using var stream = new TranslatingStream(upstream, Translator.Default.CreateStreamTranslator(Dialect.OpenAIChat, Dialect.Anthropic));

        var wait = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await upstream.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(wait.IsCompleted);

        upstream.Send(Chunk);
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        var text = await ReadOnceAsync(stream);
        Assert.Contains("event: message_start", text, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"hi\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upstream_that_breaks_during_the_wait_still_ends_with_the_error_event()
    {
        var upstream = new ScriptedStream();
        var events = new StreamErrorEvents(Dialect.OpenAIChat);
        await using var stream = new PassThroughStream(upstream, Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: true), _ => { }, events);

        var wait = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await upstream.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        upstream.Break();
        Assert.Equal(0, await wait.WaitAsync(TimeSpan.FromSeconds(30))); // not thrown at YARP's empty read

        Assert.Equal(Encoding.UTF8.GetString(events.Broken()), await ReadOnceAsync(stream));
        Assert.Equal(0, await stream.ReadAsync(new byte[64]));
    }

    [Fact]
    public async Task Reads_smaller_than_a_chunk_hand_it_out_in_order()
    {
        var upstream = new ScriptedStream();
        await using var stream = new PassThroughStream(upstream, Translator.Default.CreateUsageTap(Dialect.OpenAIChat, stream: true), _ => { }, errorEvents: null);
        upstream.Send(Chunk);
        upstream.End();

        var all = new StringBuilder();
        var small = new byte[7];
        int n;
        while ((n = await stream.ReadAsync(small)) > 0)
        {
            all.Append(Encoding.UTF8.GetString(small, 0, n));
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty)); // pending bytes: the empty read answers at once
        }

        Assert.Equal(Chunk, all.ToString());
    }

    private static async Task<string> ReadOnceAsync(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>An upstream body the test feeds by hand; an empty read waits for data like HttpClient's does.</summary>
    private sealed class ScriptedStream : Stream
    {
        private readonly Channel<byte[]?> _chunks = Channel.CreateUnbounded<byte[]?>();
        private byte[]? _current;
        private int _offset;
        private bool _ended;

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Send(string text) => _chunks.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

        public void End() => _chunks.Writer.TryWrite(null);

        public void Break() => _chunks.Writer.TryComplete(new IOException("connection reset"));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_current is null && !_ended)
            {
                if (buffer.IsEmpty)
                {
                    Waiting.TrySetResult();
                }

                try
                {
                    _current = await _chunks.Reader.ReadAsync(cancellationToken);
                }
                catch (ChannelClosedException ex) when (ex.InnerException is IOException io)
                {
                    throw io;
                }

                _offset = 0;
                _ended = _current is null;
            }

            if (_ended || buffer.IsEmpty)
            {
                return 0;
            }

            var n = Math.Min(buffer.Length, _current!.Length - _offset);
            _current.AsSpan(_offset, n).CopyTo(buffer.Span);
            _offset += n;
            if (_offset == _current.Length)
            {
                _current = null;
            }

            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
