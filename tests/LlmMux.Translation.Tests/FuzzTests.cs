using System.Buffers;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>Randomly damaged fixtures must either translate or fail with a TranslationException — never anything else.</summary>
public sealed class FuzzTests
{
    private static readonly Translator T = Translator.Default;

    public static TheoryData<Dialect> Dialects() => [.. CrossMatrixTests.Fixtures.Keys];

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Damaged_bodies_and_streams_only_raise_translation_errors(Dialect d)
    {
        var f = CrossMatrixTests.Fixtures[d];
        var target = d == Dialect.OpenAIChat ? Dialect.Anthropic : Dialect.OpenAIChat;
        var random = new Random(1234 + (int)d);
        foreach (var (path, kind) in new[] { (f.Request, 0), (f.Response, 1), (f.ToolStream, 2), (f.TextStream, 2) })
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
}
