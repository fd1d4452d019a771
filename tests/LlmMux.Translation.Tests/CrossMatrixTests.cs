using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>Every registered dialect to every other one: text streams for all of them; requests, responses and tool
/// streams for the dialects whose wire format has tools.</summary>
public sealed class CrossMatrixTests
{
    private static readonly Translator T = Translator.Default;

    /// <summary>Fixture set per dialect: request, response, stream (with tools), stream (text only).</summary>
    internal static readonly Dictionary<Dialect, (string Request, string Response, string ToolStream, string TextStream)> Fixtures = new()
    {
        [Dialect.OpenAIChat] = ("openai/request_tools.json", "openai/response_tools.json", "openai/stream_tools.sse", "openai/stream_text.sse"),
        [Dialect.OpenAIResponses] = ("responses/request_tools.json", "responses/response_tools.json", "responses/stream_tools.sse", "responses/stream_text.sse"),
        [Dialect.Anthropic] = ("anthropic/request_tools.json", "anthropic/response_tools.json", "anthropic/stream_tools.sse", "anthropic/stream_text.sse"),
        [Dialect.Gemini] = ("gemini/request_tools.json", "gemini/response_tools.json", "gemini/stream_tools.sse", "gemini/stream_text.sse"),
        [Dialect.Ollama] = ("ollama/request_tools.json", "ollama/response_tools.json", "ollama/stream_tools.ndjson", "ollama/stream_text.ndjson"),
        [Dialect.GeminiCodeAssist] = ("gemini/codeassist_request_tools.json", "gemini/codeassist_response_tools.json", "gemini/codeassist_stream_tools.sse", "gemini/codeassist_stream_text.sse"),
    };

    /// <summary>Dialects without tools in their wire format: request, response and a text stream.</summary>
    internal static readonly Dictionary<Dialect, (string Request, string Response, string TextStream)> TextOnly = new()
    {
        [Dialect.OpenAICompletions] = ("completions/request.json", "completions/response_text.json", "completions/stream_text.sse"),
        [Dialect.OllamaGenerate] = ("ollama/request_generate.json", "ollama/response_generate.json", "ollama/stream_generate.ndjson"),
    };

    /// <summary>All registered dialects.</summary>
    internal static IEnumerable<Dialect> AllDialects => Fixtures.Keys.Concat(TextOnly.Keys);

    internal static string TextStreamOf(Dialect d) => Fixtures.TryGetValue(d, out var f) ? f.TextStream : TextOnly[d].TextStream;

    /// <summary>The richest stream a dialect has a fixture for: with tools where its format has them.</summary>
    internal static string RichestStreamOf(Dialect d) => Fixtures.TryGetValue(d, out var f) ? f.ToolStream : TextOnly[d].TextStream;

    internal static string RequestOf(Dialect d) => Fixtures.TryGetValue(d, out var f) ? f.Request : TextOnly[d].Request;

    internal static string ResponseOf(Dialect d) => Fixtures.TryGetValue(d, out var f) ? f.Response : TextOnly[d].Response;

    [Fact]
    public void Every_registered_dialect_has_fixtures() =>
        Assert.Equal(Enum.GetValues<Dialect>().Order(), AllDialects.Order());

    public static TheoryData<Dialect, Dialect> AllPairs()
    {
        var data = new TheoryData<Dialect, Dialect>();
        foreach (var a in AllDialects)
        {
            foreach (var b in AllDialects)
            {
                data.Add(a, b);
            }
        }

        return data;
    }

    public static TheoryData<Dialect, Dialect> Pairs()
    {
        var data = new TheoryData<Dialect, Dialect>();
        foreach (var a in Fixtures.Keys)
        {
            foreach (var b in Fixtures.Keys)
            {
                data.Add(a, b);
            }
        }

        return data;
    }

    private static bool KeepsToolIds(Dialect d) => d is not Dialect.Ollama;

    /// <summary>Ids can be compared only when the source fixture has them (Gemini's are generated while decoding).</summary>
    private static bool CompareIds(Dialect from, Dialect to) => KeepsToolIds(to) && from is not (Dialect.Gemini or Dialect.GeminiCodeAssist or Dialect.Ollama);

    private static bool IsGemini(Dialect d) => d is Dialect.Gemini or Dialect.GeminiCodeAssist;

    private static bool CarriesReasoningInStream(Dialect d) => d is Dialect.Anthropic or Dialect.OpenAIChat or Dialect.Gemini or Dialect.GeminiCodeAssist or Dialect.OpenAIResponses or Dialect.Ollama;

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Request(Dialect from, Dialect to)
    {
        var source = T.DecodeRequest(Fixture.Bytes(Fixtures[from].Request), from);
        var translated = T.TranslateRequest(Fixture.Bytes(Fixtures[from].Request), from, to, new RequestOverrides { Model = "target-model", Reasoning = source.Params.Reasoning });
        var back = T.DecodeRequest(translated, to);

        bool ids = KeepsToolIds(to);  // request-side Gemini ids are deterministic
        Assert.Equal(IrDump.Conversation(Strip(source, to), ids), IrDump.Conversation(Strip(back, to), ids));
        Assert.Equal(to is Dialect.Gemini ? null : "target-model", back.Model);
        Assert.Equal(source.ToolChoice?.Kind ?? IrToolChoiceKind.Auto, back.ToolChoice?.Kind ?? IrToolChoiceKind.Auto);
        Assert.Equal(source.Params.TopP, back.Params.TopP);
        if (to != Dialect.OpenAIResponses)
        {
            Assert.Equal(source.Params.Stop.ToArray(), back.Params.Stop.ToArray()); // Responses has no stop sequences
        }
        if (!IsGemini(to))
        {
            Assert.Equal(source.Stream, back.Stream); // Gemini carries it in the URL
        }
        if (source.Params.MaxTokens is { } max)
        {
            Assert.True(back.Params.MaxTokens >= max);
        }
    }

    /// <summary>Removes what the drop table allows a target to lose: reasoning parts and tool-result error flags.</summary>
    private static IrRequest Strip(IrRequest r, Dialect to) => r with
    {
        Messages = [.. r.Messages
            .Select(m => m with { Parts = [.. m.Parts.Where(p => p is not IrReasoning && !(to == Dialect.Ollama && p is IrImage { Url: not null }))] })
            .Where(m => m.Parts.Length > 0)],
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Response(Dialect from, Dialect to)
    {
        var source = T.DecodeResponse(Fixture.Bytes(Fixtures[from].Response), from);
        var back = T.DecodeResponse(T.TranslateResponse(Fixture.Bytes(Fixtures[from].Response), from, to, "client-model"), to);

        Assert.Equal(IrDump.Parts(source.Parts, withReasoning: false, CompareIds(from, to)), IrDump.Parts(back.Parts, withReasoning: false, CompareIds(from, to)));
        Assert.Equal(source.FinishReason, back.FinishReason);
        Assert.Equal(source.Usage!.InputTokens, back.Usage!.InputTokens);
        Assert.Equal(source.Usage.OutputTokens, back.Usage.OutputTokens);
        if (to != Dialect.Ollama)
        {
            Assert.Equal(source.Usage.CachedInputTokens, back.Usage.CachedInputTokens); // Ollama has no cache counter
        }
        Assert.Equal("client-model", back.Model);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Stream_with_tools(Dialect from, Dialect to) => AssertStreamEquivalent(from, to, Fixtures[from].ToolStream);

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Stream_text(Dialect from, Dialect to) => AssertStreamEquivalent(from, to, TextStreamOf(from));

    private static void AssertStreamEquivalent(Dialect from, Dialect to, string fixture)
    {
        var input = Fixture.Bytes(fixture);
        var expected = StreamSummary.Of(from, input);
        var output = StreamRun.Translate(from, to, input);
        var actual = StreamSummary.Of(to, output);

        Assert.Equal(expected.Text, actual.Text);
        if (CarriesReasoningInStream(to))
        {
            Assert.Equal(expected.Reasoning, actual.Reasoning);
        }

        Assert.Equal(expected.ToolCalls.Count, actual.ToolCalls.Count);
        for (int i = 0; i < expected.ToolCalls.Count; i++)
        {
            Assert.Equal(expected.ToolCalls[i].Name, actual.ToolCalls[i].Name);
            if (CompareIds(from, to))
            {
                Assert.Equal(expected.ToolCalls[i].Id, actual.ToolCalls[i].Id);
            }

            StreamSummary.AssertSameArgs(expected.ToolCalls[i].Args, actual.ToolCalls[i].Args);
        }

        Assert.Equal(expected.Finish, actual.Finish);
        Assert.Equal(expected.Usage!.InputTokens, actual.Usage!.InputTokens);
        Assert.Equal(expected.Usage.OutputTokens, actual.Usage.OutputTokens);
        Assert.Equal("client-model", actual.Model);
        Assert.True(actual.Ended);
        if (to == Dialect.Anthropic)
        {
            Anthropic.AnthropicTests.AssertBlocksWellFormed(System.Text.Encoding.UTF8.GetString(output));
        }
    }
}
