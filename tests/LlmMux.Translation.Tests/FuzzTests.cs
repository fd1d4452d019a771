using System.Buffers;
using System.Text;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>Randomly damaged fixtures must either translate or fail with a TranslationException — never anything else.</summary>
public sealed class FuzzTests
{
    private static readonly Translator T = Translator.Default;

    public static TheoryData<Dialect> Dialects() => [.. CrossMatrixTests.AllDialects];

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Damaged_bodies_and_streams_only_raise_translation_errors(Dialect d)
    {
        var target = d == Dialect.OpenAIChat ? Dialect.Anthropic : Dialect.OpenAIChat;
        var random = new Random(1234 + (int)d);
        foreach (var (path, kind) in new[] { (CrossMatrixTests.RequestOf(d), 0), (CrossMatrixTests.ResponseOf(d), 1), (CrossMatrixTests.RichestStreamOf(d), 2), (CrossMatrixTests.TextStreamOf(d), 2) })
        {
            var original = Fixture.Bytes(path);
            for (int i = 0; i < 200; i++)
            {
                var damaged = Damage(original, random);
                try
                {
                    switch (kind)
                    {
                        case 0:
                            T.TranslateRequest(damaged, d, target);
                            break;
                        case 1:
                            T.TranslateResponse(damaged, d, target);
                            break;
                        default:
                            using (var t = T.CreateStreamTranslator(d, target, new StreamContext { Model = "m" }))
                            {
                                var output = new ArrayBufferWriter<byte>();
                                t.Feed(damaged, output);
                                t.Complete(output);
                            }

                            break;
                    }
                }
                catch (TranslationException)
                {
                    // expected for most damage
                }
            }
        }
    }

    private const string Punctuation = "{}[]\":,0a-\n";

    private static byte[] Damage(byte[] input, Random random)
    {
        var bytes = input.ToList();
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 2; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes.RemoveAt(at); // drop a byte
                    break;
                case 1:
                    bytes[at] = (byte)Punctuation[random.Next(Punctuation.Length)]; // swap in JSON punctuation
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256)); // insert noise
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Per fixture; sized for CI. Set LLMMUX_FUZZ_ITERATIONS for a longer local run.</summary>
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("LLMMUX_FUZZ_ITERATIONS"), out var n) ? n : 150;

    /// <summary>Added to the fixed seeds; LLMMUX_FUZZ_SEED explores other inputs locally (CI keeps 0).</summary>
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("LLMMUX_FUZZ_SEED"), out var s) ? s : 0;

    /// <summary>Real fixtures of every dialect: requests, responses, streams.</summary>
    private static readonly Dictionary<Dialect, (string[] Requests, string[] Responses, string[] Streams)> All = new()
    {
        [Dialect.OpenAIChat] = (["openai/request_tools.json", "openai/request_reasoning.json"], ["openai/response_tools.json", "openai/response_text.json"], ["openai/stream_tools.sse", "openai/stream_text.sse"]),
        [Dialect.OpenAICompletions] = (["completions/request.json", "completions/request_array.json"], ["completions/response_text.json"], ["completions/stream_text.sse"]),
        [Dialect.OpenAIResponses] = (["responses/request_tools.json"], ["responses/response_tools.json"], ["responses/stream_tools.sse", "responses/stream_text.sse"]),
        [Dialect.Anthropic] = (["anthropic/request_tools.json"], ["anthropic/response_tools.json", "anthropic/response_text.json"], ["anthropic/stream_tools.sse", "anthropic/stream_error.sse"]),
        [Dialect.Gemini] = (["gemini/request_tools.json"], ["gemini/response_tools.json"], ["gemini/stream_tools.sse", "gemini/stream_tools_array.json"]),
        [Dialect.GeminiCodeAssist] = (["gemini/codeassist_request_tools.json"], ["gemini/codeassist_response_tools.json"], ["gemini/codeassist_stream_tools.sse"]),
        [Dialect.Ollama] = (["ollama/request_tools.json"], ["ollama/response_tools.json"], ["ollama/stream_tools.ndjson"]),
        [Dialect.OllamaGenerate] = (["ollama/request_generate.json"], ["ollama/response_generate.json"], ["ollama/stream_generate.ndjson"]),
    };

    public static TheoryData<Dialect> EveryDialect() => [.. Enum.GetValues<Dialect>()];

    private static readonly Dialect[] Targets = Enum.GetValues<Dialect>();

    [Fact]
    public void Every_dialect_has_fixtures_to_fuzz() => Assert.Equal(Targets.Length, All.Count);

    /// <summary>Runs <paramref name="f"/>; a TranslationException is the documented failure, anything else fails the test
    /// with the input that caused it.</summary>
    private static TResult? Only<TResult>(string what, byte[] input, Func<TResult> f)
        where TResult : class?
    {
        try
        {
            return f();
        }
        catch (TranslationException)
        {
            return null;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: {ex}\ninput: {Encoding.UTF8.GetString(input)}");
            return null;
        }
    }

    private static readonly RequestOverrides[] Overrides =
    [
        new() { Model = "x" },
        new() { Model = "x", Reasoning = new IrReasoningConfig("high", 4096, true), Stream = true, CodeAssistProject = "p" },
        new() { Reasoning = new IrReasoningConfig("none", 0), DefaultMaxTokens = 1 },
    ];

    [Theory]
    [MemberData(nameof(EveryDialect))]
    public void Mutated_requests_only_raise_translation_errors_in_every_decoder_and_encoder(Dialect d) => FuzzBodies(
        d, All[d].Requests, 7100, "Request",
        damaged => T.TranslateRequest(damaged, d, d, OverridesFor(damaged)), // same-dialect patches
        damaged => T.DecodeRequest(damaged, d),
        (ir, to, damaged) => T.EncodeRequest(ir, to, OverridesFor(damaged)));

    [Theory]
    [MemberData(nameof(EveryDialect))]
    public void Mutated_responses_only_raise_translation_errors_in_every_decoder_and_encoder(Dialect d) => FuzzBodies(
        d, All[d].Responses, 7200, "Response",
        damaged =>
        {
            using var tap = T.CreateUsageTap(d, stream: false); // never throws at all
            tap.Feed(damaged);
            tap.Complete();
            return T.TranslateResponse(damaged, d, d, "client-model");
        },
        damaged => T.DecodeResponse(damaged, d),
        (ir, to, _) => T.EncodeResponse(ir, to));

    private static RequestOverrides OverridesFor(byte[] body) => Overrides[body.Length % Overrides.Length];

    /// <summary>Each mutant of each fixture: as is (same dialect), decoded, and the IR encoded into every dialect.</summary>
    private static void FuzzBodies<TIr>(Dialect d, string[] fixtures, int seed, string kind,
        Func<byte[], byte[]> asIs, Func<byte[], TIr> decode, Func<TIr, Dialect, byte[], byte[]> encode)
        where TIr : class
    {
        var m = new Mutator(Seed + seed + (int)d);
        int decoded = 0;
        foreach (var path in fixtures)
        {
            var original = Fixture.Bytes(path);
            for (int i = 0; i < Iterations; i++)
            {
                var damaged = m.Damage(original, stream: false);
                Only($"{kind} {d} as is", damaged, () => asIs(damaged));
                if (Only($"Decode{kind} {d}", damaged, () => decode(damaged)) is { } ir)
                {
                    decoded++;
                    foreach (var to in Targets)
                    {
                        Only($"Encode{kind} {d}→{to}", damaged, () => encode(ir, to, damaged));
                    }
                }
            }
        }

        Assert.True(decoded > fixtures.Length * Iterations / 10, $"only {decoded} mutants decoded: the fuzzer is not reaching the codecs");
    }

    [Theory]
    [MemberData(nameof(EveryDialect))]
    public void Mutated_streams_only_raise_translation_errors_in_every_stream_decoder(Dialect d)
    {
        var m = new Mutator(Seed + 7300 + (int)d);
        int completed = 0;
        foreach (var path in All[d].Streams)
        {
            var original = Fixture.Bytes(path);
            for (int i = 0; i < Iterations; i++)
            {
                var damaged = m.Damage(original, stream: true);
                var pieces = m.Pieces(damaged).ToList();
                var to = Targets[m.Random.Next(Targets.Length)];
                var context = new StreamContext
                {
                    Model = m.Random.Next(4) == 0 ? null : "m",
                    IncludeUsage = m.Random.Next(2) == 0,
                    GeminiJsonArray = m.Random.Next(2) == 0,
                    EstimatedInputTokens = m.Random.Next(2) == 0 ? null : m.Random.Next(),
                };
                Only($"stream {d}→{to}", damaged, () =>
                {
                    using var t = T.CreateStreamTranslator(d, to, context);
                    var output = new ArrayBufferWriter<byte>();
                    try
                    {
                        foreach (var piece in pieces)
                        {
                            t.Feed(piece.Span, output);
                        }

                        t.Complete(output);
                        completed++;
                    }
                    catch (TranslationException)
                    {
                        t.WriteError(output, "broken", "upstream_stream_invalid"); // what the gateway does next
                    }

                    return output;
                });

                using var tap = T.CreateUsageTap(d, stream: true); // never throws at all
                foreach (var piece in pieces)
                {
                    tap.Feed(piece.Span);
                }

                tap.Complete();
                Assert.False(tap.EventTooLarge);

                Only("completed-response collector", damaged, () =>
                {
                    using var c = T.CreateCompletedResponseCollector();
                    foreach (var piece in pieces)
                    {
                        c.Feed(piece.Span);
                    }

                    return c.Complete();
                });
            }
        }

        Assert.True(completed > All[d].Streams.Length * Iterations / 20, $"only {completed} mutants translated: the fuzzer is not reaching the codecs");
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Theory]
    [MemberData(nameof(EveryDialect))]
    public void Json_deeper_than_the_limit_is_a_translation_error(Dialect d)
    {
        var deep = Nested(300);
        foreach (var body in new[] { deep, $"{{\"model\":\"m\",\"messages\":{deep},\"contents\":{deep},\"input\":{deep},\"prompt\":{deep}}}" })
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            Assert.Equal(TranslationErrorKind.InvalidJson, Assert.Throws<TranslationException>(() => T.TranslateRequest(bytes, d, Dialect.Anthropic == d ? Dialect.OpenAIChat : Dialect.Anthropic)).Kind);
            Assert.Equal(TranslationErrorKind.InvalidJson, Assert.Throws<TranslationException>(() => T.TranslateRequest(bytes, d, d)).Kind);
            Assert.Equal(TranslationErrorKind.InvalidJson, Assert.Throws<TranslationException>(() => T.TranslateResponse(bytes, d, Dialect.OpenAIChat)).Kind);
        }

        var stream = Encoding.UTF8.GetBytes(d is Dialect.Ollama or Dialect.OllamaGenerate ? $"{{\"x\":{deep}}}\n" : $"data: {{\"x\":{deep}}}\n\n");
        using var t = T.CreateStreamTranslator(d, Dialect.OpenAIChat == d ? Dialect.Anthropic : Dialect.OpenAIChat);
        Assert.Equal(TranslationErrorKind.InvalidJson, Assert.Throws<TranslationException>(() => t.Feed(stream, new ArrayBufferWriter<byte>())).Kind);
    }

    /// <summary>Nesting just under the limit where codecs recurse (tool schemas) must not exhaust the stack.</summary>
    [Theory]
    [InlineData(Dialect.OpenAIChat, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":SCHEMA}}]}")]
    [InlineData(Dialect.Anthropic, "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"name\":\"f\",\"input_schema\":SCHEMA}]}")]
    [InlineData(Dialect.Gemini, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":SCHEMA}]}]}")]
    [InlineData(Dialect.OpenAIResponses, "{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":SCHEMA}]}")]
    public void Deep_tool_schemas_under_the_limit_translate_or_fail_cleanly(Dialect d, string template)
    {
        var schema = string.Concat(Enumerable.Repeat("{\"type\":\"object\",\"properties\":{\"a\":", 120)) + "{\"type\":\"string\"}" + new string('}', 240);
        var body = Encoding.UTF8.GetBytes(template.Replace("SCHEMA", schema, StringComparison.Ordinal));
        foreach (var to in Targets)
        {
            Only($"{d}→{to}", body, () => T.TranslateRequest(body, d, to));
        }
    }
}
