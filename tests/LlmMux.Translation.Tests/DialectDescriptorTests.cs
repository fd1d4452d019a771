using System.Text;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>What every registered dialect's descriptor must agree on; each dialect's own shapes are pinned in its
/// folder (<c>XDialectTests</c>).</summary>
public sealed class DialectDescriptorTests
{
    private static readonly Translator T = Translator.Default;

    public static TheoryData<Dialect> All() => [.. CrossMatrixTests.AllDialects];

    [Fact]
    public void Every_dialect_is_registered_once_and_knows_itself()
    {
        Assert.Equal(Enum.GetValues<Dialect>().Order(), Dialects.All.Select(d => d.Dialect).Order());
        foreach (var d in Enum.GetValues<Dialect>())
        {
            Assert.Equal(d, Dialects.Get(d).Dialect);
        }
    }

    [Fact]
    public void Route_names_and_paths_are_unique_across_dialects()
    {
        var routes = Dialects.All.SelectMany(d => d.Routes).ToList();
        Assert.Equal(routes.Count, routes.Select(r => r.Name).Distinct().Count());
        Assert.Equal(routes.Count, routes.Select(r => r.Path).Distinct().Count());
    }

    /// <summary>The fast scan reads exactly the usage the full stream decoder reports, however the bytes are split.</summary>
    [Theory]
    [MemberData(nameof(All))]
    public void Stream_usage_scan_matches_the_decoder(Dialect d)
    {
        foreach (var fixture in new[] { CrossMatrixTests.TextStreamOf(d), CrossMatrixTests.RichestStreamOf(d) })
        {
            var bytes = Fixture.Bytes(fixture);
            var expected = StreamSummary.Of(d, bytes).Usage;
            Assert.NotNull(expected);
            foreach (var chunk in new[] { bytes.Length, 7, 1 })
            {
                using var tap = T.CreateUsageTap(d, stream: true);
                for (int i = 0; i < bytes.Length; i += chunk)
                {
                    tap.Feed(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
                }

                Assert.Equal(expected, tap.Complete());
                Assert.False(tap.EventTooLarge);
            }
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Body_usage_scan_matches_the_decoder(Dialect d)
    {
        var bytes = Fixture.Bytes(CrossMatrixTests.ResponseOf(d));
        using var tap = T.CreateUsageTap(d, stream: false);
        tap.Feed(bytes);
        Assert.Equal(T.DecodeResponse(bytes, d).Usage, tap.Complete());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Usage_scans_shrug_at_garbage(Dialect d)
    {
        using var stream = T.CreateUsageTap(d, stream: true);
        stream.Feed("data: {not json\n\n{\"usage\":7,\"usageMetadata\":[],\"done\":true,\"prompt_eval_count\":\"x\"}\n"u8);
        stream.Feed("data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":{}}}\n\n"u8);
        _ = stream.Complete();
        using var body = T.CreateUsageTap(d, stream: false);
        body.Feed("[1,2"u8);
        Assert.Null(body.Complete());
    }

    /// <summary>A stream error is the dialect's error body inside its own framing, ending the stream.</summary>
    [Theory]
    [MemberData(nameof(All))]
    public void Stream_error_carries_the_error_body(Dialect d)
    {
        var descriptor = Dialects.Get(d);
        var error = Encoding.UTF8.GetString(descriptor.StreamError(502, "broken", "upstream_stream_broken"));
        Assert.Contains("broken", error, StringComparison.Ordinal);
        Assert.EndsWith("\n", error, StringComparison.Ordinal);
        if (descriptor.Family != ApiFamily.OpenAI || d == Dialect.OpenAIResponses)
        {
            return;
        }

        Assert.Equal("data: " + Encoding.UTF8.GetString(descriptor.ErrorBody(502, "broken", "upstream_stream_broken")) + "\n\ndata: [DONE]\n\n", error);
    }
}
