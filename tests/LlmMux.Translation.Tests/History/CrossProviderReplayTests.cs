using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.History;

/// <summary>
/// One multi-turn, tool-using conversation with thinking, replayed by a client of each dialect across every ordered
/// pair of the seven provider types, the provider switching every turn (a failover or a pool). Every upstream is a
/// strict fake that refuses what its real API refuses (foreign or unsigned thinking, bad tool ids, Gemini 3 calls
/// without a thought signature, results without their call, unknown block types), and every turn must be accepted.
/// The request is made as the gateway makes it: the client's bytes when the dialects match and nothing needs
/// changing, else through the translator; the answer is translated back as the gateway does.
/// </summary>
public sealed class CrossProviderReplayTests
{
    private const int Turns = 4;

    private static readonly Translator T = Translator.Default;

    private static readonly Dialect[] Clients =
        [Dialect.Anthropic, Dialect.OpenAIChat, Dialect.OpenAIResponses, Dialect.Gemini, Dialect.GeminiCodeAssist, Dialect.Ollama];

    public static TheoryData<Dialect, string, string> Cases()
    {
        var data = new TheoryData<Dialect, string, string>();
        var types = StrictUpstream.All().Select(u => u.Type).ToList();
        foreach (var client in Clients)
        {
            foreach (var a in types)
            {
                foreach (var b in types.Where(b => b != a))
                {
                    data.Add(client, a, b);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_tool_loop_with_thinking_survives_a_provider_switch_every_turn(Dialect client, string first, string second)
    {
        var upstreams = StrictUpstream.All().ToDictionary(u => u.Type);
        var conversation = new ClientConversation(client);
        for (int turn = 0; turn < Turns; turn++)
        {
            var upstream = upstreams[turn % 2 == 0 ? first : second];
            bool final = turn == Turns - 1;
            var body = Send(conversation, upstream);
            var rejection = upstream.Reject(body);
            Assert.True(rejection is null, $"turn {turn} to {upstream} ({client} client) was refused: {rejection}\n{System.Text.Encoding.UTF8.GetString(body)}");

            var (calls, text) = conversation.Take(Receive(upstream, upstream.Answer(turn, final), client));
            if (final)
            {
                Assert.Empty(calls);
                Assert.Equal("Done.", text);
            }
            else
            {
                Assert.Equal("run", Assert.Single(calls).Name);
                conversation.Answer(calls, $"step {turn} ok");
            }
        }
    }

    /// <summary>The upstream body as the gateway builds it (UpstreamRequestTransform): thinking asked of every upstream.</summary>
    internal static byte[] Send(ClientConversation conversation, StrictUpstream upstream)
    {
        var overrides = new RequestOverrides
        {
            Model = upstream.Model,
            Reasoning = new IrReasoningConfig(null, 2048),
            CodeAssistProject = upstream.Dialect == Dialect.GeminiCodeAssist ? "p" : null,
        };
        using var body = T.TranslateRequestBody(conversation.Body, conversation.Dialect, upstream.Dialect, overrides);
        return body.ToArray();
    }

    /// <summary>The answer as the client gets it (UpstreamResponseTransform.ReplaceWithTranslated).</summary>
    internal static byte[] Receive(StrictUpstream upstream, byte[] answer, Dialect client)
    {
        if (upstream.Dialect == client)
        {
            return answer;
        }

        var ir = T.DecodeResponse(answer, upstream.Dialect);
        return T.EncodeResponse(ir with { Model = "client-model" }, client);
    }
}
