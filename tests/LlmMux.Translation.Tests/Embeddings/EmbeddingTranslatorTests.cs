using System.Text.Json;
using LlmMux.Translation.Embeddings;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.Embeddings;

/// <summary>The five embedding shapes read and written, and every client shape carried to both upstream shapes and back.</summary>
public sealed class EmbeddingTranslatorTests
{
    private static readonly float[] V0 = [0.0023064255f, -0.009327292f, -0.0028842222f, 0.021588752f, -0.014712374f];
    private static readonly float[] V1 = [-0.0098027075f, 0.06042469f, 0.025257962f, -0.006364387f, 0.07272725f];

    /// <summary>A real request of each client shape, and the model its path named (Gemini) or null.</summary>
    public static TheoryData<EmbeddingFormat, string, string?> ClientRequests => new()
    {
        { EmbeddingFormat.OpenAI, "embeddings/openai_request_strings.json", null },
        { EmbeddingFormat.OpenAI, "embeddings/openai_request_string.json", null },
        { EmbeddingFormat.Gemini, "embeddings/gemini_embed_request.json", "gemini-embedding-001" },
        { EmbeddingFormat.GeminiBatch, "embeddings/gemini_batch_request.json", "gemini-embedding-001" },
        { EmbeddingFormat.Ollama, "embeddings/ollama_embed_request.json", null },
        { EmbeddingFormat.OllamaLegacy, "embeddings/ollama_embeddings_request.json", null },
    };

    public static TheoryData<EmbeddingFormat> UpstreamFormats => new() { EmbeddingFormat.OpenAI, EmbeddingFormat.GeminiBatch };

    public static TheoryData<EmbeddingFormat> AllFormats => new()
    {
        EmbeddingFormat.OpenAI, EmbeddingFormat.Gemini, EmbeddingFormat.GeminiBatch, EmbeddingFormat.Ollama, EmbeddingFormat.OllamaLegacy,
    };

    [Fact]
    public void An_OpenAI_request_keeps_its_inputs_and_options()
    {
        var request = Decode(EmbeddingFormat.OpenAI, "embeddings/openai_request_strings.json");

        Assert.Equal("text-embedding-3-small", request.Model);
        Assert.Equal(["The food was delicious and the waiter was friendly.", "The service was slow."], request.Inputs.Select(i => i.Text));
        Assert.Equal(5, request.Dimensions);
        Assert.Equal("float", request.EncodingFormat);
        Assert.Equal("user-1234", request.User);
    }

    [Fact]
    public void An_OpenAI_request_of_token_arrays_keeps_each_array()
    {
        var request = Decode(EmbeddingFormat.OpenAI, "embeddings/openai_request_tokens.json");

        Assert.Equal([[1820, 25, 9523, 374], [15339, 1917]], request.Inputs.Select(i => i.Tokens.ToArray()));
        Assert.All(request.Inputs, i => Assert.Null(i.Text));
        Assert.Equal("base64", request.EncodingFormat);

        var single = Decode(EmbeddingFormat.OpenAI, "embeddings/openai_request_token_ids.json");
        Assert.Equal([1820, 25, 9523, 374], Assert.Single(single.Inputs).Tokens.ToArray());
    }

    [Fact]
    public void Gemini_requests_take_the_model_from_the_path_and_their_options()
    {
        var single = Decode(EmbeddingFormat.Gemini, "embeddings/gemini_embed_request.json", "gemini-embedding-001");
        Assert.Equal("gemini-embedding-001", single.Model);
        Assert.Equal("What is the meaning of life?", Assert.Single(single.Inputs).Text);
        Assert.Equal("RETRIEVAL_QUERY", single.TaskType);
        Assert.Equal(5, single.Dimensions);

        var batch = Decode(EmbeddingFormat.GeminiBatch, "embeddings/gemini_batch_request.json", "my-alias");
        Assert.Equal("my-alias", batch.Model);
        Assert.Equal(["What is the meaning of life?", "How much wood would a woodchuck chuck?"], batch.Inputs.Select(i => i.Text));
        Assert.Equal(("RETRIEVAL_DOCUMENT", "Life"), (batch.TaskType, batch.Title));
    }

    [Fact]
    public void Ollama_requests_keep_their_own_options_verbatim()
    {
        var embed = Decode(EmbeddingFormat.Ollama, "embeddings/ollama_embed_request.json");
        Assert.Equal(["Why is the sky blue?", "Why is the grass green?"], embed.Inputs.Select(i => i.Text));
        Assert.True(embed.Truncate);
        Assert.Equal("\"5m\"", embed.KeepAliveJson);
        Assert.Equal("""{"num_ctx":2048}""", JsonSerializer.Serialize(JsonDocument.Parse(embed.OptionsJson!).RootElement));

        var legacy = Decode(EmbeddingFormat.OllamaLegacy, "embeddings/ollama_embeddings_request.json");
        Assert.Equal("Here is an article about llamas...", Assert.Single(legacy.Inputs).Text);
        Assert.Equal("all-minilm", legacy.Model);
    }

    [Theory]
    [MemberData(nameof(ClientRequests))]
    public void Every_client_request_reaches_both_upstream_shapes_with_its_texts_and_dimensions(EmbeddingFormat client, string fixture, string? pathModel)
    {
        var request = Decode(client, fixture, pathModel);
        foreach (var upstream in new[] { EmbeddingFormat.OpenAI, EmbeddingFormat.GeminiBatch })
        {
            var sent = EmbeddingTranslator.EncodeRequest(request, upstream, "upstream-model");
            var received = EmbeddingTranslator.DecodeRequest(sent, upstream, upstream == EmbeddingFormat.GeminiBatch ? "upstream-model" : null);

            Assert.Equal("upstream-model", received.Model);
            Assert.Equal(request.Inputs.Select(i => i.Text), received.Inputs.Select(i => i.Text));
            Assert.Equal(request.Dimensions, received.Dimensions);
            if (upstream == EmbeddingFormat.GeminiBatch)
            {
                Assert.Equal((request.TaskType, request.Title), (received.TaskType, received.Title));
            }
        }
    }

    [Fact]
    public void A_Gemini_batch_names_the_path_model_in_every_request_as_the_API_requires()
    {
        var request = Decode(EmbeddingFormat.OpenAI, "embeddings/openai_request_strings.json");
        using var sent = JsonDocument.Parse(EmbeddingTranslator.EncodeRequest(request, EmbeddingFormat.GeminiBatch, "gemini-embedding-001"));

        var items = sent.RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("models/gemini-embedding-001", i.GetProperty("model").GetString()));
        Assert.All(items, i => Assert.Equal(5, i.GetProperty("outputDimensionality").GetInt32()));
        Assert.Equal("The service was slow.", items[1].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void An_OpenAI_upstream_is_always_sent_a_list_and_asked_for_floats()
    {
        var request = Decode(EmbeddingFormat.OllamaLegacy, "embeddings/ollama_embeddings_request.json");
        using var sent = JsonDocument.Parse(EmbeddingTranslator.EncodeRequest(request, EmbeddingFormat.OpenAI, "nomic-embed-text"));

        Assert.Equal(JsonValueKind.Array, sent.RootElement.GetProperty("input").ValueKind);
        Assert.Equal("float", sent.RootElement.GetProperty("encoding_format").GetString());
        Assert.Equal("nomic-embed-text", sent.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Token_ids_cannot_go_to_a_text_only_upstream()
    {
        var request = Decode(EmbeddingFormat.OpenAI, "embeddings/openai_request_tokens.json");

        var ex = Assert.Throws<TranslationException>(() => EmbeddingTranslator.EncodeRequest(request, EmbeddingFormat.GeminiBatch, "gemini-embedding-001"));
        Assert.Equal(TranslationErrorKind.Unsupported, ex.Kind);
        Assert.Contains("token-id", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EmbeddingFormat.OpenAI, "embeddings/openai_response_float.json")]
    [InlineData(EmbeddingFormat.OpenAI, "embeddings/openai_response_base64.json")]
    [InlineData(EmbeddingFormat.GeminiBatch, "embeddings/gemini_batch_response.json")]
    [InlineData(EmbeddingFormat.Ollama, "embeddings/ollama_embed_response.json")]
    public void Responses_decode_to_the_vectors_in_input_order(EmbeddingFormat format, string fixture)
    {
        var response = EmbeddingTranslator.DecodeResponse(Fixture.Bytes(fixture), format);

        Assert.Equal([V0, V1], response.Vectors.ToArray());
    }

    [Fact]
    public void Usage_is_read_where_each_shape_reports_it()
    {
        Assert.Equal(14, EmbeddingTranslator.DecodeResponse(Fixture.Bytes("embeddings/openai_response_float.json"), EmbeddingFormat.OpenAI).Usage!.InputTokens);
        Assert.Equal(8, EmbeddingTranslator.DecodeResponse(Fixture.Bytes("embeddings/ollama_embed_response.json"), EmbeddingFormat.Ollama).Usage!.InputTokens);
        Assert.Null(EmbeddingTranslator.DecodeResponse(Fixture.Bytes("embeddings/gemini_batch_response.json"), EmbeddingFormat.GeminiBatch).Usage);
    }

    [Theory]
    [MemberData(nameof(UpstreamFormats))]
    public void An_upstream_answer_reaches_every_client_shape_unchanged(EmbeddingFormat upstream)
    {
        var fixture = upstream == EmbeddingFormat.OpenAI ? "embeddings/openai_response_float.json" : "embeddings/gemini_batch_response.json";
        var two = EmbeddingTranslator.DecodeResponse(Fixture.Bytes(fixture), upstream);
        var one = two with { Vectors = [V0] };
        foreach (var client in new[] { EmbeddingFormat.OpenAI, EmbeddingFormat.Gemini, EmbeddingFormat.GeminiBatch, EmbeddingFormat.Ollama, EmbeddingFormat.OllamaLegacy })
        {
            var single = client is EmbeddingFormat.Gemini or EmbeddingFormat.OllamaLegacy;
            var answer = single ? one : two;
            var request = new EmbeddingRequest("client-model", [.. answer.Vectors.Select((_, i) => EmbeddingInput.Of("text " + i))]);
            var written = EmbeddingTranslator.EncodeResponse(answer, client, request);

            Assert.Equal(answer.Vectors.ToArray(), EmbeddingTranslator.DecodeResponse(written, client).Vectors.ToArray());
        }
    }

    [Fact]
    public void An_OpenAI_client_that_asked_for_base64_gets_little_endian_float32s()
    {
        var answer = EmbeddingTranslator.DecodeResponse(Fixture.Bytes("embeddings/gemini_batch_response.json"), EmbeddingFormat.GeminiBatch);
        var request = new EmbeddingRequest("text-embedding-3-small", [EmbeddingInput.Of("a"), EmbeddingInput.Of("b")]) { EncodingFormat = "base64" };

        using var written = JsonDocument.Parse(EmbeddingTranslator.EncodeResponse(answer, EmbeddingFormat.OpenAI, request));
        var data = written.RootElement.GetProperty("data");
        Assert.Equal("ZicXO4DRGLw4BT275dqwPCsMcbw=", data[0].GetProperty("embedding").GetString()); // struct.pack('<5f', …) of V0
        Assert.Equal("text-embedding-3-small", written.RootElement.GetProperty("model").GetString());
        Assert.Equal(0, written.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public void An_Ollama_client_gets_its_model_and_prompt_count()
    {
        var answer = EmbeddingTranslator.DecodeResponse(Fixture.Bytes("embeddings/openai_response_float.json"), EmbeddingFormat.OpenAI);
        var request = Decode(EmbeddingFormat.Ollama, "embeddings/ollama_embed_request.json");

        using var written = JsonDocument.Parse(EmbeddingTranslator.EncodeResponse(answer, EmbeddingFormat.Ollama, request));
        Assert.Equal("all-minilm", written.RootElement.GetProperty("model").GetString());
        Assert.Equal(14, written.RootElement.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(2, written.RootElement.GetProperty("embeddings").GetArrayLength());
    }

    [Fact]
    public void An_answer_with_another_number_of_vectors_than_inputs_is_refused()
    {
        var answer = EmbeddingTranslator.DecodeResponse(Fixture.Bytes("embeddings/openai_response_float.json"), EmbeddingFormat.OpenAI);
        var request = new EmbeddingRequest("m", [EmbeddingInput.Of("only one")]);

        Assert.Throws<TranslationException>(() => EmbeddingTranslator.EncodeResponse(answer, EmbeddingFormat.OllamaLegacy, request));
    }

    [Theory]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":""}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":[]}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m"}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":"x","encoding_format":"int8"}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":"x","dimensions":0}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":["x",[1,2]]}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":{"text":"x"}}""")]
    [InlineData(EmbeddingFormat.Gemini, """{"content":{"parts":[]}}""")]
    [InlineData(EmbeddingFormat.Gemini, """{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA=="}}]}}""")]
    [InlineData(EmbeddingFormat.GeminiBatch, """{"requests":[]}""")]
    [InlineData(EmbeddingFormat.GeminiBatch, """{"requests":[{"model":"models/m"}]}""")]
    [InlineData(EmbeddingFormat.Ollama, """{"model":"m","input":[""]}""")]
    [InlineData(EmbeddingFormat.OllamaLegacy, """{"model":"m","input":"x"}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"model":"m","input":"x"} trailing""")]
    [InlineData(EmbeddingFormat.OpenAI, """[1,2]""")]
    public void Malformed_requests_are_a_translation_error_never_a_crash(EmbeddingFormat format, string body)
    {
        Assert.Throws<TranslationException>(() => EmbeddingTranslator.DecodeRequest(System.Text.Encoding.UTF8.GetBytes(body), format, "m"));
    }

    [Theory]
    [InlineData(EmbeddingFormat.OpenAI, """{"data":[{"index":0}]}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"data":[{"embedding":["a"]}]}""")]
    [InlineData(EmbeddingFormat.OpenAI, """{"data":[{"embedding":"AAA="}]}""")]
    [InlineData(EmbeddingFormat.GeminiBatch, """{"embeddings":[{"values":{}}]}""")]
    [InlineData(EmbeddingFormat.GeminiBatch, """{"embeddings":[{}]}""")]
    [InlineData(EmbeddingFormat.GeminiBatch, """not json""")]
    public void Malformed_answers_are_a_translation_error(EmbeddingFormat format, string body)
    {
        Assert.Throws<TranslationException>(() => EmbeddingTranslator.DecodeResponse(System.Text.Encoding.UTF8.GetBytes(body), format));
    }

    private static EmbeddingRequest Decode(EmbeddingFormat format, string fixture, string? pathModel = null) =>
        EmbeddingTranslator.DecodeRequest(Fixture.Bytes(fixture), format, pathModel);
}
