using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;
using OpenAI;
using OpenAI.Embeddings;
using OpenAI.Images;

namespace LlmMux.Tests;

/// <summary>
/// Embeddings, images and compaction through the real <c>llm-mux serve</c>: the official OpenAI SDK and raw Gemini and
/// Ollama clients, against one fake that plays an OpenAI-compatible API (<c>/v1/embeddings</c>,
/// <c>/v1/images/generations</c>, <c>/v1/responses/compact</c>), the Gemini API (<c>:batchEmbedContents</c>, image
/// models' <c>:generateContent</c>) and an Anthropic API (no embeddings). The fake refuses what the real APIs refuse:
/// another path, a missing model or input, a wrong key, a batch item naming another model than the path.
/// </summary>
public sealed class OperationsEndToEndTests(OperationsEndToEndTests.Served fixture) : IClassFixture<OperationsEndToEndTests.Served>
{
    private const string ClientKey = "client-key";
    private const string OpenAIKey = "sk-openai-upstream";
    private const string GeminiKey = "gemini-upstream-key";
    private const string CodexToken = "tok-codex";
    private const string CodexCompaction = """{"output":[{"type":"message","role":"user","content":[{"type":"input_text","text":"earlier turns"}]},{"type":"compaction","encrypted_content":"gAAAAABo-codex"}]}""";
    private const string ManagementSecret = "e2e-operations-management-secret";
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    private const string CompactionBody = """{"id":"resp_cmp_1","object":"response.compaction","created_at":1764000000,"output":[{"type":"compaction","id":"cmp_1","encrypted_content":"gAAAAABo-opaque"}],"usage":{"input_tokens":1200,"output_tokens":80,"total_tokens":1280}}""";

    private readonly FakeUpstream _upstream = fixture.Upstream;
    private readonly GatewayProcess _gateway = fixture.Gateway;
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task The_OpenAI_sdk_gets_embeddings_from_an_OpenAI_upstream_as_it_sent_them()
    {
        var client = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential(ClientKey), Options());

        OpenAIEmbeddingCollection result = await client.GenerateEmbeddingsAsync(["Why is the sky blue?", "Why is grass green?"], new EmbeddingGenerationOptions { Dimensions = 3 });

        Assert.Equal([Vector("Why is the sky blue?", 0, 3), Vector("Why is grass green?", 1, 3)], result.Select(e => e.ToFloats().ToArray()));
        Assert.Equal(9, result.Usage.InputTokenCount);
        var sent = Assert.Single(_upstream.Requests, r => r.PathAndQuery == "/v1/embeddings" && r.Body.Contains("sky blue", StringComparison.Ordinal));
        Assert.Equal("Bearer " + OpenAIKey, sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task The_OpenAI_sdk_gets_embeddings_from_a_Gemini_model_as_base64_floats()
    {
        var client = new EmbeddingClient("embed-g", new ApiKeyCredential(ClientKey), Options());

        OpenAIEmbeddingCollection result = await client.GenerateEmbeddingsAsync(["first text", "second text"]);

        Assert.Equal([Vector("first text", 0), Vector("second text", 1)], result.Select(e => e.ToFloats().ToArray()));
        var sent = Assert.Single(_upstream.Requests, r => r.Body.Contains("first text", StringComparison.Ordinal));
        Assert.Equal("/v1beta/models/gemini-embedding-001:batchEmbedContents", sent.PathAndQuery);
        Assert.Equal(GeminiKey, sent.Headers["x-goog-api-key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_Gemini_client_embeds_one_content_through_an_OpenAI_model()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1beta/models/text-embedding-3-small:embedContent")
        {
            Content = Json("""{"model":"models/text-embedding-3-small","content":{"parts":[{"text":"What is the meaning of life?"}]},"outputDimensionality":2}"""),
        };
        request.Headers.Add("x-goog-api-key", ClientKey);

        var answer = await SendAsync(request, HttpStatusCode.OK);

        Assert.Equal(Vector("What is the meaning of life?", 0, 2), answer["embedding"]!["values"]!.AsArray().Select(v => v!.GetValue<float>()));
        var sent = JsonNode.Parse(Assert.Single(_upstream.Requests, r => r.Body.Contains("meaning of life", StringComparison.Ordinal)).Body)!;
        Assert.Equal(2, sent["dimensions"]!.GetValue<int>());
        Assert.Equal("text-embedding-3-small", sent["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_Gemini_batch_through_an_alias_names_the_real_model_in_every_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1beta/models/embed-g:batchEmbedContents")
        {
            Content = Json("""{"requests":[{"model":"models/embed-g","content":{"parts":[{"text":"alpha doc"}]},"taskType":"RETRIEVAL_DOCUMENT"},{"model":"models/embed-g","content":{"parts":[{"text":"beta doc"}]},"taskType":"RETRIEVAL_DOCUMENT"}]}"""),
        };
        request.Headers.Add("x-goog-api-key", ClientKey);

        var answer = await SendAsync(request, HttpStatusCode.OK);

        Assert.Equal([Vector("alpha doc", 0), Vector("beta doc", 1)], answer["embeddings"]!.AsArray().Select(e => e!["values"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray()));
        var sent = JsonNode.Parse(Assert.Single(_upstream.Requests, r => r.Body.Contains("alpha doc", StringComparison.Ordinal)).Body)!;
        Assert.All(sent["requests"]!.AsArray(), r => Assert.Equal("models/gemini-embedding-001", r!["model"]!.GetValue<string>()));
        Assert.All(sent["requests"]!.AsArray(), r => Assert.Equal("RETRIEVAL_DOCUMENT", r!["taskType"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_Ollama_client_embeds_a_list_through_a_Gemini_model()
    {
        var answer = await PostAsync("/api/embed", """{"model":"embed-g","input":["llamas are fluffy","alpacas too"]}""", HttpStatusCode.OK);

        Assert.Equal("embed-g", answer["model"]!.GetValue<string>());
        Assert.Equal([Vector("llamas are fluffy", 0), Vector("alpacas too", 1)], answer["embeddings"]!.AsArray().Select(e => e!.AsArray().Select(v => v!.GetValue<float>()).ToArray()));
    }

    [Fact]
    public async Task An_Ollama_client_on_the_legacy_route_gets_one_embedding_from_an_OpenAI_model()
    {
        var answer = await PostAsync("/ollama/api/embeddings", """{"model":"text-embedding-3-small","prompt":"Here is an article about llamas..."}""", HttpStatusCode.OK);

        Assert.Equal(Vector("Here is an article about llamas...", 0), answer["embedding"]!.AsArray().Select(v => v!.GetValue<float>()));
    }

    [Fact]
    public async Task Embeddings_fail_over_to_the_next_provider_when_the_first_is_down()
    {
        var answer = await PostAsync("/v1/embeddings", """{"model":"text-embedding-3-large","input":"failover text"}""", HttpStatusCode.OK);

        Assert.Equal(Vector("failover text", 0), answer["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()));
        Assert.Contains(_upstream.Requests, r => r.PathAndQuery == "/down/v1/embeddings" && r.Body.Contains("failover text", StringComparison.Ordinal));
        Assert.Contains(_upstream.Requests, r => r.PathAndQuery == "/v1/embeddings" && r.Body.Contains("failover text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_model_whose_providers_serve_no_embeddings_is_a_400_in_the_callers_dialect_and_no_upstream_call()
    {
        var openai = await PostAsync("/v1/embeddings", """{"model":"claude-sonnet-4-5","input":"x"}""", HttpStatusCode.BadRequest);
        Assert.Equal("operation_not_supported", openai["error"]!["code"]!.GetValue<string>());
        Assert.Contains("does not support embeddings", openai["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var ollama = await PostAsync("/api/embed", """{"model":"claude-sonnet-4-5","input":"x"}""", HttpStatusCode.BadRequest);
        Assert.Contains("does not support embeddings", ollama["error"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.DoesNotContain(_upstream.Requests, r => r.PathAndQuery.StartsWith("/anthropic", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_embedding_requests_are_refused_before_any_upstream_call()
    {
        var noInput = await PostAsync("/v1/embeddings", """{"model":"text-embedding-3-small"}""", HttpStatusCode.BadRequest);
        Assert.Contains("'input'", noInput["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var noModel = await PostAsync("/v1/embeddings", """{"input":"x"}""", HttpStatusCode.BadRequest);
        Assert.Equal("missing_model", noModel["error"]!["code"]!.GetValue<string>());

        // Token ids are fine for OpenAI, but a Gemini model takes text: the client's 400, no account to blame.
        var tokens = await PostAsync("/v1/embeddings", """{"model":"embed-g","input":[[1820,25,9523]]}""", HttpStatusCode.BadRequest);
        Assert.Contains("token-id", tokens["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(_upstream.Requests, r => r.PathAndQuery.Contains("batchEmbedContents", StringComparison.Ordinal) && r.Body.Contains("1820", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Embeddings_need_the_client_key_like_chat()
    {
        using var response = await _http.PostAsync("/v1/embeddings", Json("""{"model":"text-embedding-3-small","input":"x"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_upstream_rejection_reaches_the_client_in_its_own_dialect()
    {
        // The fake refuses an empty text as Gemini does; the Ollama client reads {"error": "..."}.
        var answer = await PostAsync("/api/embed", """{"model":"embed-g","input":["fine","   "]}""", HttpStatusCode.BadRequest);

        Assert.Contains("empty text", answer["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAI_sdk_generates_an_image_on_an_OpenAI_upstream()
    {
        var client = new ImageClient("gpt-image-1", new ApiKeyCredential(ClientKey), Options());

        GeneratedImage image = await client.GenerateImageAsync("a sea otter", new ImageGenerationOptions { ResponseFormat = GeneratedImageFormat.Bytes });

        Assert.Equal(Convert.FromBase64String(Png), image.ImageBytes.ToArray());
        var sent = Assert.Single(_upstream.Requests, r => r.PathAndQuery == "/v1/images/generations" && r.Body.Contains("a sea otter", StringComparison.Ordinal));
        Assert.Equal("Bearer " + OpenAIKey, sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task The_OpenAI_sdk_generates_an_image_on_a_Gemini_image_model()
    {
        var client = new ImageClient("gemini-2.5-flash-image", new ApiKeyCredential(ClientKey), Options());

        GeneratedImage image = await client.GenerateImageAsync("a red fox", new ImageGenerationOptions { ResponseFormat = GeneratedImageFormat.Bytes, Size = GeneratedImageSize.W1792xH1024 });

        Assert.Equal(Convert.FromBase64String(Png), image.ImageBytes.ToArray());
        var sent = Assert.Single(_upstream.Requests, r => r.Body.Contains("a red fox", StringComparison.Ordinal));
        Assert.Equal("/v1beta/models/gemini-2.5-flash-image:generateContent", sent.PathAndQuery);
        var config = JsonNode.Parse(sent.Body)!["generationConfig"]!;
        Assert.Equal("IMAGE", config["responseModalities"]![0]!.GetValue<string>());
        Assert.Equal("16:9", config["imageConfig"]!["aspectRatio"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_refused_Gemini_image_is_a_content_policy_400()
    {
        var answer = await PostAsync("/v1/images/generations", """{"model":"gemini-2.5-flash-image","prompt":"something forbidden"}""", HttpStatusCode.BadRequest);

        Assert.Equal("content_policy_violation", answer["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Compaction_is_passed_through_to_an_OpenAI_upstream_byte_for_byte()
    {
        using var response = await SendRawAsync("/v1/responses/compact", """{"model":"gpt-5","input":[{"role":"user","content":"a long conversation"}],"instructions":"Summarise."}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CompactionBody, await response.Content.ReadAsStringAsync());
        var sent = Assert.Single(_upstream.Requests, r => r.PathAndQuery == "/v1/responses/compact" && r.Body.Contains("a long conversation", StringComparison.Ordinal));
        Assert.Contains("a long conversation", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compaction_on_a_model_without_it_is_a_400_in_the_Responses_shape()
    {
        var answer = await PostAsync("/v1/responses/compact", """{"model":"claude-sonnet-4-5","input":[]}""", HttpStatusCode.BadRequest);

        Assert.Equal("invalid_request_error", answer["error"]!["type"]!.GetValue<string>());
        Assert.Contains("/responses/compact", answer["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compaction_reaches_a_codex_account_as_one_json_call()
    {
        using var response = await SendRawAsync("/v1/responses/compact", """{"model":"gpt-5-codex","input":[{"role":"user","content":"earlier turns"}],"instructions":"You are Codex.","tools":[],"parallel_tool_calls":false}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CodexCompaction, await response.Content.ReadAsStringAsync());
        var sent = Assert.Single(_upstream.Requests, r => r.PathAndQuery == "/backend-api/codex/responses/compact");
        Assert.Equal("application/json", sent.Headers["Accept"]);
    }

    [Fact]
    public async Task A_subscription_without_embeddings_or_images_is_a_400_and_its_account_is_never_called()
    {
        var embeddings = await PostAsync("/v1/embeddings", """{"model":"claude-opus-4-1","input":"x"}""", HttpStatusCode.BadRequest);
        Assert.Contains("'claude' (claude)", embeddings["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var images = await PostAsync("/v1/images/generations", """{"model":"gpt-5-codex","prompt":"x"}""", HttpStatusCode.BadRequest);
        Assert.Contains("does not support image generation", images["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.DoesNotContain(_upstream.Requests, r => r.PathAndQuery.StartsWith("/claude", StringComparison.Ordinal));
        Assert.DoesNotContain(_upstream.Requests, r => r.PathAndQuery.StartsWith("/backend-api/codex", StringComparison.Ordinal) && !r.PathAndQuery.EndsWith("/compact", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_of_embeddings_images_and_compactions_is_recorded_per_account()
    {
        await PostAsync("/v1/embeddings", """{"model":"oa/text-embedding-3-small","input":"count these four words"}""", HttpStatusCode.OK);
        await PostAsync("/v1/images/generations", """{"model":"gpt-image-1","prompt":"a ledger"}""", HttpStatusCode.OK);
        await PostAsync("/v1/responses/compact", """{"model":"gpt-5","input":[]}""", HttpStatusCode.OK);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v0/management/usage");
        request.Headers.Add("X-Management-Key", ManagementSecret);
        using var response = await _http.SendAsync(request);
        var rows = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

        long Tokens(string model, string field) => rows.Where(r => r!["model"]!.GetValue<string>() == model && r["provider"]!.GetValue<string>() == "oa").Sum(r => r![field]!.GetValue<long>());
        Assert.True(Tokens("gpt-image-1", "input_tokens") >= 12 && Tokens("gpt-image-1", "output_tokens") >= 4160, rows.ToJsonString());
        Assert.True(Tokens("gpt-5", "input_tokens") >= 1200 && Tokens("gpt-5", "output_tokens") >= 80, rows.ToJsonString());
        Assert.True(rows.Any(r => r!["provider"]!.GetValue<string>() == "oa" && r["input_tokens"]!.GetValue<long>() >= 4 && r["model"]!.GetValue<string>() != "gpt-5" && r["model"]!.GetValue<string>() != "gpt-image-1"), rows.ToJsonString());
    }

    private OpenAIClientOptions Options() => new() { Endpoint = new Uri(_gateway.BaseUrl + "/v1") };

    private async Task<JsonNode> PostAsync(string path, string body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Authorization = new("Bearer", ClientKey);
        return await SendAsync(request, expected);
    }

    private async Task<HttpResponseMessage> SendRawAsync(string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Authorization = new("Bearer", ClientKey);
        return await _http.SendAsync(request);
    }

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"HTTP {(int)response.StatusCode}: {text} " + string.Join(" ", _upstream.Requests.Select(r => r.PathAndQuery)));
        return JsonNode.Parse(text)!;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The fake's embedding of a text: recognisable, and different for every text and position.</summary>
    private static float[] Vector(string text, int index, int dimensions = 4) =>
        [.. new[] { text.Length / 100f, index, 0.25f, -0.5f }.Take(dimensions)];

    private static async Task Play(HttpContext context, RecordedRequest request)
    {
        var path = context.Request.Path.Value ?? "";
        switch (path)
        {
            case "/down/v1/embeddings":
                await Error(context, 503, """{"error":{"message":"The server is overloaded.","type":"server_error","code":null}}""");
                return;
            case "/v1/embeddings" or "/v1/images/generations" or "/v1/responses/compact":
                if (request.Headers.GetValueOrDefault("Authorization") != "Bearer " + OpenAIKey)
                {
                    await Error(context, 401, """{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}""");
                    return;
                }

                await OpenAIAsync(context, path, JsonNode.Parse(request.Body)!.AsObject());
                return;
            case "/backend-api/codex/responses/compact":
                // The ChatGPT backend: the login's token and account, one JSON answer, none of the chat-only fields.
                var compact = JsonNode.Parse(request.Body)!.AsObject();
                if (request.Headers.GetValueOrDefault("Authorization") != "Bearer " + CodexToken || request.Headers.GetValueOrDefault("Chatgpt-Account-Id") != "acct-42")
                {
                    await Error(context, 401, """{"detail":"Unauthorized"}""");
                }
                else if (compact["model"] is null || compact["input"] is null || compact.ContainsKey("stream") || compact.ContainsKey("store"))
                {
                    await Error(context, 400, """{"detail":"Unsupported parameter"}""");
                }
                else
                {
                    await Ok(context, CodexCompaction);
                }

                return;
            case var gemini when gemini.StartsWith("/v1beta/models/", StringComparison.Ordinal):
                if (request.Headers.GetValueOrDefault("x-goog-api-key") != GeminiKey)
                {
                    await Error(context, 400, """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}""");
                    return;
                }

                await GeminiAsync(context, gemini["/v1beta/models/".Length..], JsonNode.Parse(request.Body)!.AsObject());
                return;
            default:
                await Error(context, 404, """{"error":{"message":"Invalid URL","type":"invalid_request_error","code":null}}""");
                return;
        }
    }

    private static async Task OpenAIAsync(HttpContext context, string path, JsonObject body)
    {
        if (body["model"]?.GetValue<string>() is not { Length: > 0 })
        {
            await Error(context, 400, """{"error":{"message":"you must provide a model parameter","type":"invalid_request_error","code":null}}""");
            return;
        }

        if (path == "/v1/responses/compact")
        {
            await Ok(context, CompactionBody);
            return;
        }

        if (path == "/v1/images/generations")
        {
            await Ok(context, $$$"""{"created":1764000000,"data":[{"b64_json":"{{{Png}}}"}],"usage":{"input_tokens":12,"output_tokens":4160,"total_tokens":4172}}""");
            return;
        }

        var input = body["input"];
        var texts = input switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a when a.All(i => i?.GetValueKind() == JsonValueKind.String) && a.Count > 0 => a.Select(i => i!.GetValue<string>()).ToList(),
            JsonArray a when a.Count > 0 => a.Select(i => string.Join(",", i!.AsArray())).ToList(),
            _ => null,
        };
        if (texts is null)
        {
            await Error(context, 400, """{"error":{"message":"'$.input' is invalid. Please check the API reference.","type":"invalid_request_error","code":null}}""");
            return;
        }

        var dimensions = body["dimensions"]?.GetValue<int>() ?? 4;
        var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray([.. texts.Select((t, i) => (JsonNode)new JsonObject
        {
            ["object"] = "embedding",
            ["index"] = i,
            ["embedding"] = base64
                ? Convert.ToBase64String(Vector(t, i, dimensions).SelectMany(BitConverter.GetBytes).ToArray())
                : new JsonArray([.. Vector(t, i, dimensions).Select(f => (JsonNode)f)]),
        })]);
        var tokens = texts.Sum(t => t.Split(' ').Length);
        await Ok(context, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = body["model"]!.GetValue<string>(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }.ToJsonString());
    }

    private static async Task GeminiAsync(HttpContext context, string action, JsonObject body)
    {
        var colon = action.LastIndexOf(':');
        var (model, method) = colon > 0 ? (action[..colon], action[(colon + 1)..]) : ("", "");
        if (method == "batchEmbedContents" && body["requests"] is JsonArray { Count: > 0 } requests)
        {
            var vectors = new JsonArray();
            for (var i = 0; i < requests.Count; i++)
            {
                if (requests[i]!["model"]?.GetValue<string>() != "models/" + model)
                {
                    await Error(context, 400, """{"error":{"code":400,"message":"* BatchEmbedContentsRequest.model: The model in each request must match the model specified in the batch request.","status":"INVALID_ARGUMENT"}}""");
                    return;
                }

                var text = requests[i]!["content"]?["parts"]?[0]?["text"]?.GetValue<string>();
                if (string.IsNullOrWhiteSpace(text))
                {
                    await Error(context, 400, """{"error":{"code":400,"message":"* BatchEmbedContentsRequest.requests[1].content: empty text is not allowed","status":"INVALID_ARGUMENT"}}""");
                    return;
                }

                vectors.Add(new JsonObject { ["values"] = new JsonArray([.. Vector(text, i).Select(f => (JsonNode)f)]) });
            }

            await Ok(context, new JsonObject { ["embeddings"] = vectors }.ToJsonString());
            return;
        }

        if (method == "generateContent" && model.Contains("image", StringComparison.Ordinal)
            && body["generationConfig"]?["responseModalities"] is JsonArray modalities && modalities.Any(m => m!.GetValue<string>() == "IMAGE"))
        {
            var prompt = body["contents"]?[0]?["parts"]?[0]?["text"]?.GetValue<string>() ?? "";
            await Ok(context, prompt.Contains("forbidden", StringComparison.Ordinal)
                ? """{"candidates":[{"finishReason":"IMAGE_SAFETY","index":0}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash-image"}"""
                : $$$"""{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"{{{Png}}}"}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1290,"totalTokenCount":1295},"modelVersion":"gemini-2.5-flash-image"}""");
            return;
        }

        await Error(context, 404, $$$"""{"error":{"code":404,"message":"models/{{{model}}} is not found for API version v1beta, or is not supported for {{{method}}}.","status":"NOT_FOUND"}}""");
    }

    private static Task Ok(HttpContext context, string json) => Error(context, 200, json);

    private static async Task Error(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    /// <summary>One fake and one gateway for the whole class: a gateway start is seconds of a shared machine.</summary>
    public sealed class Served : IAsyncLifetime
    {
        public FakeUpstream Upstream { get; private set; } = null!;
        internal GatewayProcess Gateway { get; private set; } = null!;
        public HttpClient Http { get; private set; } = null!;
        private string _dir = "";

        public async Task InitializeAsync()
        {
            Upstream = await FakeUpstream.StartAsync(Play);
            _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-operations-").FullName;
            var future = DateTimeOffset.UtcNow.AddHours(6).ToString("O");
            Directory.CreateDirectory(Path.Combine(_dir, "auth"));
            await File.WriteAllTextAsync(Path.Combine(_dir, "auth", "codex-b@example.com.json"),
                $$"""{"type":"codex","email":"b@example.com","access_token":"{{CodexToken}}","refresh_token":"r-codex","account_id":"acct-42","expired":"{{future}}"}""");
            await File.WriteAllTextAsync(Path.Combine(_dir, "auth", "claude-a@example.com.json"),
                $$"""{"type":"claude","email":"a@example.com","access_token":"tok-claude","refresh_token":"r-claude","expired":"{{future}}","last_refresh":"{{future}}"}""");
            var config = Path.Combine(_dir, "llm-mux.yaml");
            await File.WriteAllTextAsync(config, $"""
                api-keys: [{ClientKey}]
                management:
                  secret-key: "{ManagementSecret}"
                providers:
                  - name: down
                    type: openai
                    base-url: {Upstream.BaseUrl}/down/v1
                    api-keys: [sk-down]
                    models: [{"{"} name: text-embedding-3-large {"}"}]
                  - name: oa
                    type: openai
                    base-url: {Upstream.BaseUrl}/v1
                    api-keys: [{OpenAIKey}]
                    models:
                      - {"{"} name: text-embedding-3-small {"}"}
                      - {"{"} name: text-embedding-3-large {"}"}
                      - {"{"} name: gpt-image-1 {"}"}
                      - {"{"} name: gpt-5 {"}"}
                  - name: gm
                    type: gemini-api
                    base-url: {Upstream.BaseUrl}
                    api-keys: [{GeminiKey}]
                    models:
                      - {"{"} name: gemini-embedding-001, alias: embed-g {"}"}
                      - {"{"} name: gemini-2.5-flash-image {"}"}
                  - name: ant
                    type: anthropic
                    base-url: {Upstream.BaseUrl}/anthropic
                    api-keys: [sk-ant]
                    models: [{"{"} name: claude-sonnet-4-5 {"}"}]
                  - {"{"} name: codex, type: codex, base-url: "{Upstream.BaseUrl}/backend-api/codex", models: [gpt-5-codex] {"}"}
                  - {"{"} name: claude, type: claude, base-url: "{Upstream.BaseUrl}/claude", models: [claude-opus-4-1] {"}"}
                """);
            Gateway = await GatewayProcess.StartAsync(config);
            Http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
