using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.Ir;

public sealed class IrToolPairingTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Interrupted_call_gets_an_error_result_and_orphan_results_are_dropped()
    {
        var body = """
            {"model":"gpt-4o","messages":[
              {"role":"user","content":"list files"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"ls","arguments":"{}"}},
                {"id":"call_2","type":"function","function":{"name":"pwd","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"a.txt"},
              {"role":"tool","tool_call_id":"call_9","content":"stale"},
              {"role":"user","content":"go on"}]}
            """u8.ToArray();

        var anthropic = JsonDocument.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Anthropic)).RootElement;
        var results = anthropic.GetProperty("messages")[2].GetProperty("content");
        Assert.Equal("call_1", results[0].GetProperty("tool_use_id").GetString());
        Assert.Equal("call_2", results[1].GetProperty("tool_use_id").GetString());
        Assert.True(results[1].GetProperty("is_error").GetBoolean());
        Assert.Equal("text", results[2].GetProperty("type").GetString()); // "go on" shares the user turn
        Assert.DoesNotContain("call_9", anthropic.GetRawText(), StringComparison.Ordinal);

        var gemini = JsonDocument.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Gemini)).RootElement;
        var parts = gemini.GetProperty("contents")[2].GetProperty("parts");
        Assert.Equal("pwd", parts[1].GetProperty("functionResponse").GetProperty("name").GetString());
    }

    [Fact]
    public void Paired_history_is_left_alone()
    {
        var ir = T.DecodeRequest(Support.Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat);
        Assert.Same(ir, IrToolPairing.Repair(ir));
    }

    private static IrToolCall Call(string id) => new(id, "f", "{}");

    private static IrToolResult Result(string id) => new(id, null, [new IrText("r" + id)]);

    private static IrMessage Msg(IrRole role, IEnumerable<IrPart> parts) => new(role, [.. parts]);

    private static IrRequest Request(IEnumerable<IrMessage> messages) => new() { Model = "m", Messages = [.. messages] };

    /// <summary>The pairing rules written the slow, obvious way (a scan per lookup), as the reference.</summary>
    private static bool ReferenceIsPaired(ImmutableArray<IrMessage> ms) =>
        ms.Select((m, i) => m.Role != IrRole.Tool || (i > 0 && ms[i - 1].Role != IrRole.User)).All(ok => ok)
        && ms.Select((m, i) => (m, i)).Where(x => x.m.Role == IrRole.Assistant).All(x =>
        {
            var answers = ms.Skip(x.i + 1).TakeWhile(t => t.Role == IrRole.Tool).SelectMany(t => t.Parts).ToList();
            var calls = x.m.Parts.OfType<IrToolCall>().ToList();
            return answers.All(p => p is IrToolResult r && calls.Any(c => c.Id == r.ToolCallId)) && answers.Count == calls.Count;
        });

    private static ImmutableArray<IrMessage> ReferenceRepair(ImmutableArray<IrMessage> ms)
    {
        if (ReferenceIsPaired(ms))
        {
            return ms;
        }

        var output = new List<IrMessage>();
        var open = new List<IrToolCall>();
        var answered = new List<IrPart>();
        foreach (var m in ms.Append(new IrMessage(IrRole.User, [])))
        {
            if (m.Role == IrRole.Tool)
            {
                foreach (var r in m.Parts.OfType<IrToolResult>().Where(r => open.Any(c => c.Id == r.ToolCallId)))
                {
                    open.Remove(open.First(c => c.Id == r.ToolCallId));
                    answered.Add(r);
                }

                continue;
            }

            answered.AddRange(open.Select(c => new IrToolResult(c.Id, c.Name, [new IrText(IrToolPairing.MissingResultText)], IsError: true)));
            if (answered.Count > 0)
            {
                output.Add(new IrMessage(IrRole.Tool, [.. answered]));
            }

            (open, answered) = ([.. m.Parts.OfType<IrToolCall>()], []);
            output.Add(m);
        }

        return [.. output.SkipLast(1)];
    }

    [Fact]
    public void Random_histories_with_duplicate_ids_repair_as_the_reference_does()
    {
        var random = new Random(4242);
        for (int n = 0; n < 3000; n++)
        {
            var ids = Enumerable.Range(0, random.Next(1, 40)).Select(i => "c" + random.Next(random.Next(1, 30))).ToList();
            var messages = new List<IrMessage> { Msg(IrRole.User, [new IrText("go")]) };
            foreach (var turn in ids.Chunk(random.Next(1, 25)))
            {
                messages.Add(Msg(IrRole.Assistant, turn.Select(Call)));
                var answers = turn.Where(_ => random.Next(8) > 0).Select(id => random.Next(10) == 0 ? "orphan" + random.Next(3) : id)
                    .OrderBy(_ => random.Next()).ToList();
                foreach (var group in answers.Chunk(random.Next(1, 6)))
                {
                    messages.Add(Msg(IrRole.Tool, group.Select(Result)));
                }

                if (random.Next(6) == 0)
                {
                    messages.Add(Msg(IrRole.User, [new IrText("more")]));
                }
            }

            var request = Request(messages);
            var repaired = IrToolPairing.Repair(request);
            var expected = ReferenceRepair(request.Messages);
            Assert.Equal(ReferenceIsPaired(request.Messages), ReferenceEquals(request, repaired));
            string Dump(IEnumerable<IrMessage> ms) => string.Join(" | ", ms.Select(m => m.Role + ":" + string.Join(",", m.Parts.Select(p => p switch { IrToolCall c => "C" + c.Id, IrToolResult r => (r.IsError ? "E" : "R") + r.ToolCallId, _ => "t" }))));
            Assert.True(expected.SequenceEqual(repaired.Messages), Dump(request.Messages) + "\nEXP " + Dump(expected) + "\nGOT " + Dump(repaired.Messages));
        }
    }

    [Fact]
    public void Forty_thousand_calls_and_results_are_checked_and_repaired_in_linear_time()
    {
        const int n = 40_000;
        var ids = Enumerable.Range(0, n).Select(i => "call_" + i).ToArray();

        // One turn with every call, answered in reverse order: paired, left alone (a set, not a scan per result).
        var paired = Request([Msg(IrRole.User, [new IrText("go")]), Msg(IrRole.Assistant, ids.Select(Call)), Msg(IrRole.Tool, ids.Reverse().Select(Result))]);
        Assert.Same(paired, IrToolPairing.Repair(paired));

        // Every tenth result missing, 1,000 orphans in between, and one id used twice with one answer.
        var results = ids.Where((_, i) => i % 10 != 0).Select(Result).Cast<IrPart>().ToList();
        for (int i = 0; i < 1000; i++)
        {
            results.Insert(i * 30, Result("stale_" + i));
        }

        var broken = Request([Msg(IrRole.User, [new IrText("go")]), Msg(IrRole.Assistant, ids.Select(Call).Append(Call("call_1"))), Msg(IrRole.Tool, results)]);
        var repaired = IrToolPairing.Repair(broken).Messages;
        Assert.Equal(3, repaired.Length);
        var tool = repaired[2].Parts.Cast<IrToolResult>().ToList();
        Assert.Equal(n + 1, tool.Count);
        Assert.Equal(ids.Where((_, i) => i % 10 != 0), tool.Take(n - n / 10).Select(r => r.ToolCallId));
        Assert.Equal(ids.Where((_, i) => i % 10 == 0).Append("call_1"), tool.Skip(n - n / 10).Select(r => r.ToolCallId));
        Assert.All(tool.Skip(n - n / 10), r => Assert.True(r.IsError));
        Assert.DoesNotContain(tool, r => r.ToolCallId.StartsWith("stale_", StringComparison.Ordinal));
    }

    [Fact]
    public void An_openai_body_with_forty_thousand_tool_calls_translates()
    {
        var body = new StringBuilder("""{"model":"m","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[""");
        for (int i = 0; i < 40_000; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("{\"id\":\"c").Append(i).Append("\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}");
        }

        body.Append("]}");
        for (int i = 0; i < 40_000; i += 2)
        {
            body.Append(",{\"role\":\"tool\",\"tool_call_id\":\"c").Append(i).Append("\",\"content\":\"ok\"}");
        }

        body.Append("]}");
        var anthropic = JsonDocument.Parse(T.TranslateRequest(Encoding.UTF8.GetBytes(body.ToString()), Dialect.OpenAIChat, Dialect.Anthropic)).RootElement;
        var results = anthropic.GetProperty("messages")[2].GetProperty("content");
        Assert.Equal(40_000, results.GetArrayLength());
        Assert.True(results[39_999].GetProperty("is_error").GetBoolean());
    }
}
