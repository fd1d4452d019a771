using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.OpenAICompletions;

/// <summary>OpenAI legacy Completions (<c>/v1/completions</c>): requests, responses and streams in both directions.</summary>
public sealed class OpenAICompletionsTests
{
    private static readonly Translator T = Translator.Default;
    private const Dialect D = Dialect.OpenAICompletions;

    [Fact]
    public void Decodes_request_and_ignores_what_has_no_ir_form()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("completions/request.json"), D);

        Assert.Equal("gpt-3.5-turbo-instruct", ir.Model);
        Assert.Empty(ir.System);
        var m = Assert.Single(ir.Messages);
        Assert.Equal(IrRole.User, m.Role);
        Assert.Equal("text(Write a tagline for an ice cream shop.)", IrDump.Parts(m.Parts)); // suffix / echo not added
        Assert.Equal(64, ir.Params.MaxTokens);
        Assert.Equal(0.7, ir.Params.Temperature);
        Assert.Equal(0.9, ir.Params.TopP);
        Assert.Equal(["\n\n"], ir.Params.Stop.ToArray());
        Assert.Equal(42, ir.Params.Seed);
        Assert.True(ir.Stream);
        Assert.True(ir.StreamIncludeUsage);
        Assert.Equal("user-1234", ir.User);
        Assert.Empty(ir.Tools);
        Assert.Null(ir.ToolChoice);
    }

    [Fact]
    public void Array_prompt_items_are_joined_with_a_newline()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("completions/request_array.json"), D);
        Assert.Equal("Say this is a test.\nThen say goodbye.", IrPartText.Join(Assert.Single(ir.Messages).Parts));
        Assert.Equal(["END", "STOP"], ir.Params.Stop.ToArray());
        Assert.Null(ir.Params.MaxTokens); // OpenAI's implicit 16 is not invented
        Assert.False(ir.Stream);
        Assert.False(ir.StreamIncludeUsage);
    }

    [Theory]
    [InlineData("completions/request.json")]
    [InlineData("completions/request_array.json")]
    public void Request_round_trip_is_equivalent(string fixture)
    {
        var ir = T.DecodeRequest(Fixture.Bytes(fixture), D);
        var again = T.DecodeRequest(T.EncodeRequest(ir, D), D);
        Assert.Equal(IrDump.Conversation(ir), IrDump.Conversation(again));
        Assert.Equal(ir.Params, again.Params);
        Assert.Equal(ir.Stream, again.Stream);
        Assert.Equal(ir.User, again.User);
        Assert.Equal(ir.Model, again.Model);
    }

    [Fact]
    public void Encoded_request_flattens_the_conversation_into_one_prompt_and_drops_tools()
    {
        var bytes = T.TranslateRequest(Fixture.Bytes("anthropic/request_tools.json"), Dialect.Anthropic, D, new RequestOverrides { Model = "gpt-3.5-turbo-instruct" });
        var root = JsonDocument.Parse(bytes).RootElement;

        Assert.Equal("gpt-3.5-turbo-instruct", root.GetProperty("model").GetString());
        Assert.Equal(
            "You are Claude Code, Anthropic's official CLI for Claude.\n\nUse tools when helpful.\n\n"
            + "What's the weather in Paris and Tokyo? Also, what is in this picture?\n\nLet me check both cities.\n\nWhich one is warmer?",
            root.GetProperty("prompt").GetString());
        Assert.Equal(16000, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.95, root.GetProperty("top_p").GetDouble());
        Assert.Equal("\n\nHuman:", root.GetProperty("stop")[0].GetString());
        Assert.True(root.GetProperty("stream").GetBoolean());
        Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        foreach (var absent in new[] { "messages", "tools", "tool_choice", "reasoning_effort", "response_format", "suffix", "echo", "logprobs", "n" })
        {
            Assert.False(root.TryGetProperty(absent, out _), absent);
        }
    }

    [Fact]
    public void Request_translates_to_chat_as_one_user_message()
    {
        var root = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes("completions/request.json"), D, Dialect.OpenAIChat)).RootElement;
        var msg = Assert.Single(root.GetProperty("messages").EnumerateArray().ToList());
        Assert.Equal("user", msg.GetProperty("role").GetString());
        Assert.Equal("Write a tagline for an ice cream shop.", msg.GetProperty("content").GetString());
        Assert.Equal(64, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal("user-1234", root.GetProperty("user").GetString());
        Assert.False(root.TryGetProperty("suffix", out _));
    }

    [Fact]
    public void Request_reaches_every_dialect_with_the_prompt_intact()
    {
        var source = T.DecodeRequest(Fixture.Bytes("completions/request.json"), D);
        foreach (var to in CrossMatrixTests.Fixtures.Keys)
        {
            var back = T.DecodeRequest(T.TranslateRequest(Fixture.Bytes("completions/request.json"), D, to, new RequestOverrides { Model = "m" }), to);
            Assert.Equal(IrDump.Conversation(source), IrDump.Conversation(back));
            Assert.Equal(source.Params.TopP, back.Params.TopP);
        }
    }

    [Fact]
    public void Decodes_response_and_encodes_the_documented_shape()
    {
        var ir = T.DecodeResponse(Fixture.Bytes("completions/response_text.json"), D);
        Assert.Equal("cmpl-8FqNbLNvDkZ1Ta3OyY6WmXq9aB4cd", ir.Id);
        Assert.Equal("gpt-3.5-turbo-instruct", ir.Model);
        Assert.Equal(1741570283, ir.Created);
        Assert.Equal("\n\n\"Scoops of happiness — served daily ✓\"", IrPartText.Join(ir.Parts));
        Assert.Equal(IrFinishReason.MaxTokens, ir.FinishReason);
        Assert.Equal(new IrUsage(9, 12), ir.Usage);

        Assert.Equal(
            """{"id":"cmpl-8FqNbLNvDkZ1Ta3OyY6WmXq9aB4cd","object":"text_completion","created":1741570283,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"\n\n\"Scoops of happiness — served daily ✓\"","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}""",
            Encoding.UTF8.GetString(T.EncodeResponse(ir, D)));

        var again = T.DecodeResponse(T.EncodeResponse(ir, D), D);
        Assert.Equal(ir, again);
    }

    [Fact]
    public void Response_translates_to_and_from_other_dialects()
    {
        // A tool-call turn cannot be expressed: the calls and reasoning are dropped and it ends as "stop".
        var root = JsonDocument.Parse(T.TranslateResponse(Fixture.Bytes("anthropic/response_tools.json"), Dialect.Anthropic, D, "client-model")).RootElement;
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        Assert.Equal("client-model", root.GetProperty("model").GetString());
        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray().ToList());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        var source = T.DecodeResponse(Fixture.Bytes("anthropic/response_tools.json"), Dialect.Anthropic);
        Assert.Equal(IrPartText.Join(source.Parts), choice.GetProperty("text").GetString());
        Assert.Equal(["prompt_tokens", "completion_tokens", "total_tokens"], root.GetProperty("usage").EnumerateObject().Select(p => p.Name));

        // Legacy → Chat: text becomes the assistant message, length stays length.
        var chat = JsonDocument.Parse(T.TranslateResponse(Fixture.Bytes("completions/response_text.json"), D, Dialect.OpenAIChat)).RootElement;
        Assert.Equal("chat.completion", chat.GetProperty("object").GetString());
        Assert.Equal("\n\n\"Scoops of happiness — served daily ✓\"", chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", chat.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(21, chat.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Theory]
    [InlineData(IrFinishReason.Stop, "stop")]
    [InlineData(IrFinishReason.MaxTokens, "length")]
    [InlineData(IrFinishReason.ToolCalls, "stop")]
    [InlineData(IrFinishReason.StopSequence, "stop")]
    [InlineData(IrFinishReason.ContentFilter, "content_filter")]
    [InlineData(IrFinishReason.Error, "stop")]
    [InlineData(IrFinishReason.Other, "stop")]
    public void Finish_reasons_use_the_legacy_words(IrFinishReason reason, string expected)
    {
        var body = T.EncodeResponse(new IrResponse { Parts = [new IrText("x"), new IrToolCall("call_1", "f", "{}")], FinishReason = reason }, D);
        var choice = JsonDocument.Parse(body).RootElement.GetProperty("choices")[0];
        Assert.Equal(expected, choice.GetProperty("finish_reason").GetString());
        Assert.Equal("x", choice.GetProperty("text").GetString());
    }

    [Fact]
    public void Decodes_stream_text_finish_and_usage()
    {
        var s = StreamSummary.Of(D, Fixture.Bytes("completions/stream_text.sse"));
        Assert.Equal("cmpl-8FqNbLNvDkZ1Ta3OyY6WmXq9aB4cd", s.Id);
        Assert.Equal("gpt-3.5-turbo-instruct", s.Model);
        Assert.Equal("\n\nScoops of happiness — served daily ✓", s.Text);
        Assert.Equal(IrFinishReason.MaxTokens, s.Finish);
        Assert.Equal(new IrUsage(9, 12), s.Usage);
        Assert.True(s.Ended);
        Assert.Empty(s.Errors);

        // CRLF framing decodes the same.
        var crlf = Encoding.UTF8.GetBytes(Fixture.Text("completions/stream_text.sse").Replace("\n", "\r\n", StringComparison.Ordinal));
        var s2 = StreamSummary.Of(D, crlf, chunk: 7);
        Assert.Equal(s.Text, s2.Text);
        Assert.Equal(s.Usage, s2.Usage);
    }

    [Fact]
    public void Anthropic_stream_becomes_text_completion_chunks()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Anthropic, D, Fixture.Bytes("anthropic/stream_text.sse")));
        var events = output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e =>
        {
            Assert.StartsWith("data: ", e, StringComparison.Ordinal);
            return JsonDocument.Parse(e["data: ".Length..]).RootElement;
        }).ToList();

        Assert.All(chunks, c =>
        {
            Assert.Equal(["id", "object", "created", "choices", "model"], c.EnumerateObject().Select(p => p.Name).Take(5));
            Assert.Equal("text_completion", c.GetProperty("object").GetString());
            Assert.Equal("client-model", c.GetProperty("model").GetString());
            Assert.Equal("msg_013Zva2CMHLNnXjNJJKqJ2EF", c.GetProperty("id").GetString()); // the upstream id, as Chat does
        });

        var textChunks = chunks[..^2];
        Assert.Equal(["Hello", "! How", " can I ", "assist you — today? ✓"], textChunks.Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.All(textChunks, c =>
        {
            var choice = c.GetProperty("choices")[0];
            Assert.Equal(0, choice.GetProperty("index").GetInt32());
            Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
            Assert.Equal(JsonValueKind.Null, choice.GetProperty("finish_reason").ValueKind);
        });

        var finish = chunks[^2].GetProperty("choices")[0];
        Assert.Equal(string.Empty, finish.GetProperty("text").GetString());
        Assert.Equal("stop", finish.GetProperty("finish_reason").GetString());

        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal("""{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}""", chunks[^1].GetProperty("usage").GetRawText());
    }

    [Fact]
    public void Usage_chunk_is_omitted_when_client_did_not_ask()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Anthropic, D,
            Fixture.Bytes("anthropic/stream_text.sse"), ctx: new StreamContext { IncludeUsage = false }));
        Assert.DoesNotContain("\"usage\"", output, StringComparison.Ordinal);
        Assert.EndsWith("\"finish_reason\":\"stop\"}],\"model\":\"claude-haiku-4-5-20251001\"}\n\ndata: [DONE]\n\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_call_stream_keeps_only_text_and_ends_with_stop()
    {
        var output = StreamRun.Translate(Dialect.Anthropic, D, Fixture.Bytes("anthropic/stream_tools.sse"));
        var text = Encoding.UTF8.GetString(output);
        Assert.DoesNotContain("get_weather", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tool_calls", text, StringComparison.Ordinal);

        var s = StreamSummary.Of(D, output);
        var source = StreamSummary.Of(Dialect.Anthropic, Fixture.Bytes("anthropic/stream_tools.sse"));
        Assert.Equal(source.Text, s.Text);
        Assert.Empty(s.ToolCalls);
        Assert.Equal(IrFinishReason.Stop, s.Finish);
        Assert.Equal(source.Usage! with { CachedInputTokens = 0, ReasoningTokens = 0 }, s.Usage);
        Assert.True(s.Ended);
    }

    [Fact]
    public void Completions_stream_becomes_chat_chunks()
    {
        var output = StreamRun.Translate(D, Dialect.OpenAIChat, Fixture.Bytes("completions/stream_text.sse"));
        var text = Encoding.UTF8.GetString(output);
        Assert.Contains("\"object\":\"chat.completion.chunk\"", text, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"length\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);

        var s = StreamSummary.Of(Dialect.OpenAIChat, output);
        Assert.Equal("\n\nScoops of happiness — served daily ✓", s.Text);
        Assert.Equal(IrFinishReason.MaxTokens, s.Finish);
        Assert.Equal(new IrUsage(9, 12), s.Usage);
        Assert.Equal("client-model", s.Model);
        Assert.True(s.Ended);
    }

    [Fact]
    public void Malformed_requests_and_responses_throw_translation_exceptions()
    {
        var ex = Assert.Throws<TranslationException>(() => T.TranslateRequest("{\"prompt\": "u8, D, Dialect.OpenAIChat));
        Assert.Equal(TranslationErrorKind.InvalidJson, ex.Kind);
        ex = Assert.Throws<TranslationException>(() => T.TranslateResponse("[1,2"u8, D, Dialect.OpenAIChat));
        Assert.Equal(TranslationErrorKind.InvalidJson, ex.Kind);

        foreach (var (body, kind) in new[]
        {
            ("[]", TranslationErrorKind.WrongType),
            ("{\"model\":\"m\"}", TranslationErrorKind.MissingField),
            ("{\"prompt\":5}", TranslationErrorKind.WrongType),
            ("{\"prompt\":[1,2,3]}", TranslationErrorKind.WrongType), // token ids: no tokenizer here
            ("{\"prompt\":\"x\",\"max_tokens\":\"many\"}", TranslationErrorKind.WrongType),
            ("{\"prompt\":\"x\",\"stop\":7}", TranslationErrorKind.WrongType),
            ("{\"prompt\":\"x\",\"stream_options\":true}", TranslationErrorKind.WrongType),
        })
        {
            ex = Assert.Throws<TranslationException>(() => T.TranslateRequest(Encoding.UTF8.GetBytes(body), D, Dialect.Anthropic));
            Assert.True(ex.Kind == kind, $"{body}: {ex.Kind}");
        }

        foreach (var (body, kind) in new[]
        {
            ("{}", TranslationErrorKind.MissingField),
            ("{\"choices\":{}}", TranslationErrorKind.WrongType),
            ("{\"choices\":[5]}", TranslationErrorKind.WrongType),
            ("{\"choices\":[{\"text\":5}]}", TranslationErrorKind.WrongType),
            ("{\"choices\":[{\"text\":\"a\"}],\"usage\":[]}", TranslationErrorKind.WrongType),
        })
        {
            ex = Assert.Throws<TranslationException>(() => T.TranslateResponse(Encoding.UTF8.GetBytes(body), D, Dialect.Anthropic));
            Assert.True(ex.Kind == kind, $"{body}: {ex.Kind}");
        }
    }

    [Fact]
    public void Errors_are_written_in_openai_shape_then_done()
    {
        using var t = T.CreateStreamTranslator(Dialect.Anthropic, D);
        var output = new ArrayBufferWriter<byte>();
        t.WriteError(output, "boom", "overloaded");
        t.WriteError(output, "ignored: the stream is already closed");
        Assert.Equal(
            "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":\"overloaded\",\"param\":null}}\n\ndata: [DONE]\n\n",
            Encoding.UTF8.GetString(output.WrittenSpan));

        // An upstream in-stream error is relayed the same way, and decoded back as an error.
        var relayed = StreamRun.Translate(Dialect.Anthropic, D, Fixture.Bytes("anthropic/stream_error.sse"));
        var s = StreamSummary.Of(D, relayed);
        Assert.Single(s.Errors);
        Assert.EndsWith("data: [DONE]\n\n", Encoding.UTF8.GetString(relayed), StringComparison.Ordinal);

        Assert.Equal(
            """{"error":{"message":"bad","type":"invalid_request_error","code":null,"param":null}}""",
            Encoding.UTF8.GetString(Dialects.Get(D).ErrorBody(400, "bad")));
    }
}
