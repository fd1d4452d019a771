using System.Text;
using System.Text.Json;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

public sealed class CompletedResponseCollectorTests
{
    private static byte[]? Collect(byte[] stream, int chunk = int.MaxValue, Translator? translator = null)
    {
        using var c = (translator ?? Translator.Default).CreateCompletedResponseCollector();
        for (int i = 0; i < stream.Length; i += chunk)
        {
            c.Feed(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
        }

        return c.Complete();
    }

    /// <summary>The <c>response</c> of the fixture's response.completed event, read the slow way.</summary>
    private static string Expected(string sse) => sse.Split('\n')
        .Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.Contains("\"response.completed\"", StringComparison.Ordinal))
        .Select(l => JsonDocument.Parse(l[6..]).RootElement.GetProperty("response").GetRawText())
        .Last();

    [Theory]
    [InlineData("responses/stream_tools.sse")]
    [InlineData("responses/stream_text.sse")]
    public void The_completed_response_of_a_codex_stream_is_kept(string fixture)
    {
        var stream = Fixture.Bytes(fixture);
        var completed = Collect(stream);
        Assert.NotNull(completed);
        Assert.Equal(Expected(Fixture.Text(fixture)), Encoding.UTF8.GetString(completed));

        // It is the body the non-streaming path translates.
        var ir = Translator.Default.DecodeResponse(completed, Dialect.OpenAIResponses);
        Assert.NotNull(ir.Usage);
        Assert.Equal(completed, Collect(stream, chunk: 1));
    }

    [Fact]
    public void Every_split_point_gives_the_same_response()
    {
        var stream = Fixture.Bytes("responses/stream_text.sse");
        var whole = Collect(stream);
        for (int split = 0; split <= stream.Length; split++)
        {
            using var c = Translator.Default.CreateCompletedResponseCollector();
            c.Feed(stream.AsSpan(0, split));
            c.Feed(stream.AsSpan(split));
            Assert.Equal(whole, c.Complete());
        }
    }

    [Fact]
    public void Crlf_a_missing_final_blank_line_and_response_done_are_read()
    {
        var sse = "event: response.done\r\ndata: {\"response\":{\"id\":\"r1\",\"status\":\"completed\"},\r\ndata: \"type\":\"response.done\"}";
        Assert.Equal("{\"id\":\"r1\",\"status\":\"completed\"}", Encoding.UTF8.GetString(Collect(Encoding.UTF8.GetBytes(sse))!));
    }

    [Fact]
    public void The_last_completed_event_wins_and_other_events_are_ignored()
    {
        var sse = """
            data: {"type":"response.completed","response":{"id":"first"}}

            data: [DONE]

            data: {not json

            data: {"type":"response.output_text.delta","delta":"hi","response":{"id":"no"}}

            data: {"type":"response.completed","response":"not an object"}

            data: {"type":"response.completed","response":{"id":"last","output":[{"deep":[[[]]]}]}}

            data: {"type":"response.completed"}

            """;
        Assert.Equal("""{"id":"last","output":[{"deep":[[[]]]}]}""", Encoding.UTF8.GetString(Collect(Encoding.UTF8.GetBytes(sse))!));
    }

    [Fact]
    public void A_stream_without_a_completed_event_gives_null()
    {
        var stream = Fixture.Text("responses/stream_tools.sse").Replace("response.completed", "response.failed", StringComparison.Ordinal);
        Assert.Null(Collect(Encoding.UTF8.GetBytes(stream)));
        Assert.Null(Collect([]));
    }

    [Fact]
    public void An_oversized_event_throws_and_the_collector_stays_failed()
    {
        var translator = new Translator(new TranslatorOptions { MaxEventBytes = 4096 });
        var stream = Fixture.Bytes("responses/stream_tools.sse"); // every event is under 4 KB
        Assert.NotNull(Collect(stream, translator: translator));

        using var c = translator.CreateCompletedResponseCollector();
        c.Feed(stream);
        var huge = Encoding.UTF8.GetBytes("data: {\"type\":\"response.completed\",\"response\":{\"x\":\"" + new string('a', 5000) + "\"}}\n\n");
        var ex = Assert.Throws<StreamEventTooLargeException>(() => c.Feed(huge));
        Assert.Equal(TranslationErrorKind.EventTooLarge, ex.Kind);
        Assert.Throws<StreamEventTooLargeException>(() => c.Complete());
    }
}
