using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>The same stream split at every byte boundary must translate to the same bytes.</summary>
public sealed class FramingTests
{
    public static TheoryData<Dialect, Dialect, string> Streams()
    {
        var data = new TheoryData<Dialect, Dialect, string>();
        foreach (var from in CrossMatrixTests.AllDialects)
        {
            foreach (var to in CrossMatrixTests.AllDialects)
            {
                data.Add(from, to, CrossMatrixTests.TextStreamOf(from));
                if (CrossMatrixTests.Fixtures.TryGetValue(from, out var f) && CrossMatrixTests.Fixtures.ContainsKey(to))
                {
                    data.Add(from, to, f.ToolStream);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_split_point_gives_the_same_output(Dialect from, Dialect to, string fixture)
    {
        var input = Fixture.Bytes(fixture);
        var whole = Normalise(StreamRun.Translate(from, to, input));
        for (int split = 0; split <= input.Length; split++)
        {
            Assert.Equal(whole, Normalise(StreamRun.TranslateSplit(from, to, input, split)));
        }

        // and byte by byte
        Assert.Equal(whole, Normalise(StreamRun.Translate(from, to, input, chunk: 1)));
    }

    /// <summary>Generated ids and timestamps differ run to run; everything else must be identical.</summary>
    internal static string Normalise(byte[] output) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.Encoding.UTF8.GetString(output),
            "\"(id|created|created_at|responseId|item_id|call_id)\":(\"[^\"]*\"|\\d+)|(msg|chatcmpl|call|resp|toolu|fc|rs)_[0-9a-f]{24,32}",
            "<id>");
}
