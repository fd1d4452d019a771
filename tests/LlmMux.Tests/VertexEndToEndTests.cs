using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Cli;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// <c>type: vertex</c> end to end: the real <c>llm-mux login vertex --key-file</c> stores a service-account key, the real
/// <c>llm-mux serve</c> exchanges it for tokens at a Google-like token endpoint (which verifies the JWT's signature and
/// claims), and a Gemini and a Claude model answer a tool call from every inbound dialect, streaming and not. The fake
/// Vertex refuses what Vertex refuses: no or an unknown bearer (401), a <c>model</c> in a rawPredict body or a missing
/// <c>anthropic_version</c> (400), an <c>anthropic_beta</c> that is not a list or names a credential beta (400), a
/// count body with fields its counter does not take or without the model it counts (400), any other path (404).
/// Token counts go to Vertex's own counters, from Anthropic and Gemini clients alike.
/// </summary>
public sealed class VertexEndToEndTests(VertexEndToEndTests.Fixture fixture) : IClassFixture<VertexEndToEndTests.Fixture>
{
    private const string ClientKey = "vertex-e2e-client-key";
    private const string Gemini = "gemini-2.5-flash";
    private const string Claude = "claude-sonnet-4-5";
    private const string ClaudeOnVertex = "claude-sonnet-4-5@20250929";
    private const string ExpressKey = "AQ.Ab8RN6express-e2e-key";
    private const string Prefix = "/v1/projects/proj-e2e/locations/us-central1/publishers";

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var dialect in new[] { "openai", "responses", "anthropic", "gemini", "ollama" })
        {
            foreach (var model in new[] { Gemini, Claude })
            {
                data.Add(dialect, model, false);
                data.Add(dialect, model, true);
            }
        }

        return data;
    }

    [Fact]
    public void The_login_stores_the_key_as_a_vertex_account_without_printing_it()
    {
        Assert.True(fixture.Login.Code == 0, fixture.Login.Error + fixture.Login.Output);
        Assert.Contains("Account 'vertex-mux-sa@proj-e2e.iam.gserviceaccount.com'", fixture.Login.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", fixture.Login.Output + fixture.Login.Error, StringComparison.Ordinal);
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.AuthDir, "vertex-mux-sa@proj-e2e.iam.gserviceaccount.com.json")))!;
        Assert.Equal("vertex", file["type"]!.GetValue<string>());
        Assert.Equal("proj-e2e", file["project_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_key_file_is_refused_by_the_login_command_and_nothing_is_written()
    {
        var bad = Path.Combine(fixture.Dir, "bad-sa.json");
        await File.WriteAllTextAsync(bad, fixture.Account.KeyJson(("private_key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), ("client_email", "other@proj-e2e.iam.gserviceaccount.com")));
        var login = await Fixture.LoginAsync(fixture.ConfigPath, fixture.AuthDir, bad);

        Assert.Equal(1, login.Code);
        Assert.Contains("not an RSA private key", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", login.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.AuthDir, "vertex-other@proj-e2e.iam.gserviceaccount.com.json")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_tool_call_reaches_the_client_in_its_dialect(string dialect, string model, bool stream)
    {
        var before = fixture.ModelCalls;
        var (path, body) = Request(dialect, model, stream, toolResult: false);

        using var response = await fixture.SendAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.True(fixture.Rejections.IsEmpty, string.Join("; ", fixture.Rejections));
        AssertToolCall(dialect, stream, text);
        var sent = Assert.Single(fixture.ModelCallsSince(before));
        var upstreamModel = model == Claude ? ClaudeOnVertex : model;
        var method = (model == Claude, stream) switch
        {
            (true, false) => "rawPredict",
            (true, true) => "streamRawPredict",
            (false, false) => "generateContent",
            (false, true) => "streamGenerateContent?alt=sse",
        };
        Assert.Equal($"{Prefix}/{(model == Claude ? "anthropic" : "google")}/models/{upstreamModel}:{method}", sent.PathAndQuery);
        Assert.StartsWith("Bearer ya29.e2e-", sent.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("get_weather", sent.Body, StringComparison.Ordinal); // the tool was declared upstream
    }

    [Theory]
    [InlineData(Gemini)]
    [InlineData(Claude)]
    public async Task The_tool_result_goes_back_and_the_answer_is_text(string model)
    {
        var (path, body) = Request("openai", model, stream: false, toolResult: true);

        using var response = await fixture.SendAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("It is sunny in Paris.", JsonNode.Parse(text)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_vertex_no_longer_accepts_is_replaced_by_a_new_jwt_exchange()
    {
        var (path, body) = Request("openai", Gemini, stream: false, toolResult: false);
        using (var warm = await fixture.SendAsync(path, body))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var exchanges = fixture.Exchanges;
        fixture.RevokeTokens(); // the access token expired upstream

        using var response = await fixture.SendAsync(path, body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(exchanges + 1, fixture.Exchanges);
        Assert.True(fixture.Rejections.IsEmpty, string.Join("; ", fixture.Rejections));
        Assert.DoesNotContain("ya29.e2e-", fixture.Gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", fixture.Gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_express_mode_key_serves_gemini_and_claude_is_refused_plainly()
    {
        var before = fixture.ModelCalls;
        using var gemini = await fixture.SendAsync("/v1/chat/completions", """{"model":"express-gemini","messages":[{"role":"user","content":"hi"}]}""");
        var text = await gemini.Content.ReadAsStringAsync();
        Assert.True(gemini.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("It is sunny in Paris.", JsonNode.Parse(text)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        var sent = Assert.Single(fixture.ModelCallsSince(before));
        Assert.Equal("/v1/publishers/google/models/gemini-2.5-pro:generateContent", sent.PathAndQuery);
        Assert.False(sent.Headers.ContainsKey("Authorization"));

        using var claude = await fixture.SendAsync("/v1/messages", """{"model":"express-claude","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""");
        var error = await claude.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, claude.StatusCode);
        Assert.Contains("express-mode API keys serve Gemini models only", error, StringComparison.Ordinal);
        Assert.Single(fixture.ModelCallsSince(before)); // nothing was sent for it
        Assert.DoesNotContain(ExpressKey, fixture.Gateway.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Claude, "count-tokens:rawPredict", """{"input_tokens":42}""")]
    [InlineData(Gemini, "countTokens", """{"input_tokens":31}""")]
    public async Task Anthropic_count_tokens_is_vertexs_own_count(string model, string method, string expected)
    {
        var before = fixture.ModelCalls;
        using var response = await fixture.SendAsync("/v1/messages/count_tokens",
            "{\"model\":\"" + model + "\"," + """ "system":"Be brief.","messages":[{"role":"user","content":"What is the weather in Paris?"}],"tools":[{"name":"get_weather","description":"Current weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],"tool_choice":{"type":"auto"}}""",
            anthropicBeta: "token-counting-2024-11-01");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(expected, text);
        Assert.False(response.Headers.Contains("x-llm-mux-token-count"), "an upstream count is not marked as estimated");
        var sent = Assert.Single(fixture.ModelCallsSince(before));
        var publisher = model == Claude ? "anthropic" : "google";
        Assert.Equal(model == Claude ? $"{Prefix}/anthropic/models/{method}" : $"{Prefix}/{publisher}/models/{model}:{method}", sent.PathAndQuery);
        var body = JsonNode.Parse(sent.Body)!;
        if (model == Claude)
        {
            Assert.Equal(ClaudeOnVertex, body["model"]!.GetValue<string>());
            Assert.Equal("vertex-2023-10-16", body["anthropic_version"]!.GetValue<string>());
            Assert.Equal(["token-counting-2024-11-01"], body["anthropic_beta"]!.AsArray().Select(b => b!.GetValue<string>()));
        }
        else
        {
            Assert.Equal("Be brief.", body["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
            Assert.Equal("get_weather", body["tools"]![0]!["functionDeclarations"]![0]!["name"]!.GetValue<string>());
            Assert.Null(body["toolConfig"]);
        }

        Assert.False(sent.Headers.ContainsKey("anthropic-beta"));
    }

    [Theory]
    [InlineData(Gemini, """{"totalTokens":31,"totalBillableCharacters":112,"promptTokensDetails":[{"modality":"TEXT","tokenCount":31}]}""")]
    [InlineData(Claude, """{"totalTokens":42}""")]
    public async Task Gemini_countTokens_is_vertexs_own_count(string model, string expected)
    {
        var before = fixture.ModelCalls;
        using var response = await fixture.SendAsync($"/v1beta/models/{model}:countTokens", """{"contents":[{"role":"user","parts":[{"text":"What is the weather in Paris?"}]}]}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(expected, text);
        var sent = Assert.Single(fixture.ModelCallsSince(before));
        Assert.Equal(model == Claude ? $"{Prefix}/anthropic/models/count-tokens:rawPredict" : $"{Prefix}/google/models/{model}:countTokens", sent.PathAndQuery);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_clients_anthropic_betas_go_to_vertex_claude_in_the_body(bool stream)
    {
        var before = fixture.ModelCalls;
        var (path, body) = Request("anthropic", Claude, stream, toolResult: false);
        using var response = await fixture.SendAsync(path, body, anthropicBeta: "interleaved-thinking-2025-05-14, oauth-2025-04-20,fine-grained-tool-streaming-2025-05-14");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        AssertToolCall("anthropic", stream, text);
        var sent = Assert.Single(fixture.ModelCallsSince(before));
        Assert.False(sent.Headers.ContainsKey("anthropic-beta"));
        Assert.Equal(["interleaved-thinking-2025-05-14", "fine-grained-tool-streaming-2025-05-14"],
            JsonNode.Parse(sent.Body)!["anthropic_beta"]!.AsArray().Select(b => b!.GetValue<string>()));

        // Without the header, no field.
        var next = fixture.ModelCalls;
        using var plain = await fixture.SendAsync(path, body);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Null(JsonNode.Parse(Assert.Single(fixture.ModelCallsSince(next)).Body)!["anthropic_beta"]);
    }

    private static (string Path, string Body) Request(string dialect, string model, bool stream, bool toolResult)
    {
        const string schema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";
        const string question = "What is the weather in Paris?";
        var s = stream ? "true" : "false";
        return dialect switch
        {
            "openai" when toolResult => ("/v1/chat/completions", $$$"""
                {"model":"{{{model}}}","messages":[{"role":"user","content":"{{{question}}}"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"18C and sunny"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{{{schema}}}}}]}
                """),
            "openai" => ("/v1/chat/completions", $$$"""{"model":"{{{model}}}","stream":{{{s}}},"messages":[{"role":"user","content":"{{{question}}}"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{{{schema}}}}}]}"""),
            "responses" => ("/v1/responses", $$$"""{"model":"{{{model}}}","stream":{{{s}}},"input":"{{{question}}}","tools":[{"type":"function","name":"get_weather","description":"Current weather","parameters":{{{schema}}}}]}"""),
            "anthropic" => ("/v1/messages", $$$"""{"model":"{{{model}}}","max_tokens":256,"stream":{{{s}}},"messages":[{"role":"user","content":"{{{question}}}"}],"tools":[{"name":"get_weather","description":"Current weather","input_schema":{{{schema}}}}]}"""),
            "gemini" => ($"/v1beta/models/{model}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}", $$$"""{"contents":[{"role":"user","parts":[{"text":"{{{question}}}"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","description":"Current weather","parameters":{{{schema}}}}]}]}"""),
            _ => ("/api/chat", $$$"""{"model":"{{{model}}}","stream":{{{s}}},"messages":[{"role":"user","content":"{{{question}}}"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{{{schema}}}}}]}"""),
        };
    }

    private static void AssertToolCall(string dialect, bool stream, string text)
    {
        if (stream)
        {
            // The call arrives in the dialect's stream events; its name and argument are in them (the argument may come in
            // pieces, as Claude streams it: "{\"city\": \"Par" then "is\"}").
            Assert.Contains("get_weather", text, StringComparison.Ordinal);
            Assert.Contains("Par", text, StringComparison.Ordinal);
            Assert.Contains(dialect switch
            {
                "openai" => "\"tool_calls\"",
                "responses" => "response.function_call_arguments",
                "anthropic" => "input_json_delta",
                "gemini" => "\"functionCall\"",
                _ => "\"tool_calls\"",
            }, text, StringComparison.Ordinal);
            return;
        }

        var json = JsonNode.Parse(text)!;
        var (name, city) = dialect switch
        {
            "openai" => Call(json["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!, "arguments"),
            "responses" => Call(json["output"]!.AsArray().First(o => o!["type"]!.GetValue<string>() == "function_call")!, "arguments"),
            "anthropic" => Call(json["content"]!.AsArray().First(c => c!["type"]!.GetValue<string>() == "tool_use")!, "input"),
            "gemini" => Call(json["candidates"]![0]!["content"]!["parts"]!.AsArray().First(p => p!["functionCall"] is not null)!["functionCall"]!, "args"),
            _ => Call(json["message"]!["tool_calls"]![0]!["function"]!, "arguments"),
        };
        Assert.Equal("get_weather", name);
        Assert.Equal("Paris", city);
    }

    private static (string Name, string City) Call(JsonNode call, string arguments)
    {
        var args = call[arguments]!;
        var parsed = args.GetValueKind() == System.Text.Json.JsonValueKind.String ? JsonNode.Parse(args.GetValue<string>())! : args;
        return (call["name"]!.GetValue<string>(), parsed["city"]!.GetValue<string>());
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly ConcurrentDictionary<string, bool> _valid = new(StringComparer.Ordinal);
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
        private FakeUpstream _fake = null!;
        private int _issued;

        public string Dir { get; private set; } = "";

        public string AuthDir => Path.Combine(Dir, "auth");

        public string ConfigPath => Path.Combine(Dir, "llm-mux.yaml");

        public FakeServiceAccount Account { get; private set; } = null!;

        internal GatewayProcess Gateway { get; private set; } = null!;

        public (int Code, string Output, string Error) Login { get; private set; }

        public ConcurrentQueue<string> Rejections { get; } = new();

        public int Exchanges => Volatile.Read(ref _issued);

        public int ModelCalls => ModelRequests().Count;

        public List<RecordedRequest> ModelCallsSince(int before) => ModelRequests().Skip(before).ToList();

        public void RevokeTokens() => _valid.Clear();

        public async Task InitializeAsync()
        {
            _fake = await FakeUpstream.StartAsync(HandleAsync);
            Dir = Directory.CreateTempSubdirectory("llm-mux-vertex-e2e-").FullName;
            Account = new FakeServiceAccount(_fake.BaseUrl + "/token");
            var keyFile = Path.Combine(Dir, "sa.json");
            await File.WriteAllTextAsync(keyFile, Account.KeyJson());
            await File.WriteAllTextAsync(ConfigPath, $"""
                api-keys: [{ClientKey}]
                providers:
                  - name: vertex
                    type: vertex
                    base-url: {_fake.BaseUrl}
                    region: us-central1
                    models:
                      - {Gemini}
                      - {"{"} name: "{ClaudeOnVertex}", alias: {Claude} {"}"}
                  - name: vertex-express
                    type: vertex
                    base-url: {_fake.BaseUrl}
                    api-keys: [{ExpressKey}]
                    models:
                      - {"{"} name: gemini-2.5-pro, alias: express-gemini {"}"}
                      - {"{"} name: "claude-opus-4-1@20250805", alias: express-claude {"}"}
                """);
            Login = await LoginAsync(ConfigPath, AuthDir, keyFile);
            Gateway = await GatewayProcess.StartAsync(ConfigPath);
        }

        public async Task DisposeAsync()
        {
            _http.Dispose();
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }

            await _fake.DisposeAsync();
            Account.Dispose();
            Directory.Delete(Dir, recursive: true);
        }

        public static async Task<(int Code, string Output, string Error)> LoginAsync(string config, string authDir, string keyFile)
        {
            var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = authDir };
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await LlmMuxCli.RunAsync(["login", "vertex", "--key-file", keyFile, "--config", config], env.GetValueOrDefault, output, error);
            return (code, output.ToString(), error.ToString());
        }

        public Task<HttpResponseMessage> SendAsync(string path, string body, string? anthropicBeta = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Gateway.BaseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClientKey);
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
            if (anthropicBeta is not null)
            {
                request.Headers.TryAddWithoutValidation("anthropic-beta", anthropicBeta);
            }

            return _http.SendAsync(request);
        }

        private List<RecordedRequest> ModelRequests()
        {
            lock (_fake.Requests)
            {
                return _fake.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
            }
        }

        private async Task HandleAsync(HttpContext context, RecordedRequest request)
        {
            var path = context.Request.Path.Value!;
            if (path == "/token")
            {
                await TokenAsync(context, request);
                return;
            }

            if (path.StartsWith("/v1/publishers/", StringComparison.Ordinal))
            {
                // Express mode: the key in x-goog-api-key (or ?key=), Gemini models only.
                if (context.Request.Headers["x-goog-api-key"] != ExpressKey)
                {
                    await JsonAsync(context, 401, """{"error":{"code":401,"message":"API keys are not supported by this API.","status":"UNAUTHENTICATED"}}""");
                }
                else if (path == "/v1/publishers/google/models/gemini-2.5-pro:generateContent")
                {
                    await JsonAsync(context, 200, GeminiAnswer(text: true));
                }
                else
                {
                    await JsonAsync(context, 404, """{"error":{"code":404,"message":"Not found.","status":"NOT_FOUND"}}""");
                }

                return;
            }

            var bearer = context.Request.Headers.Authorization.ToString();
            if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !_valid.ContainsKey(bearer["Bearer ".Length..]))
            {
                await JsonAsync(context, 401, """{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}""");
                return;
            }

            var body = JsonNode.Parse(request.Body)!;
            var second = request.Body.Contains("18C and sunny", StringComparison.Ordinal);
            switch (path)
            {
                case $"{Prefix}/google/models/{Gemini}:generateContent":
                    await JsonAsync(context, 200, GeminiAnswer(second));
                    return;
                case $"{Prefix}/google/models/{Gemini}:streamGenerateContent" when context.Request.Query["alt"] == "sse":
                    context.Response.ContentType = "text/event-stream";
                    await FakeUpstream.SendEventAsync(context, GeminiAnswer(second));
                    return;
                case $"{Prefix}/google/models/{Gemini}:countTokens":
                    // Vertex's CountTokensRequest: contents, systemInstruction, tools, generationConfig (and model, instances).
                    if (body.AsObject().Select(kv => kv.Key).FirstOrDefault(k => k is not ("contents" or "systemInstruction" or "tools" or "generationConfig" or "model" or "instances")) is { } unknown)
                    {
                        await JsonAsync(context, 400, $$$"""{"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"{{{unknown}}}\": Cannot find field.","status":"INVALID_ARGUMENT"}}""");
                        return;
                    }

                    if (body["contents"] is not JsonArray { Count: > 0 })
                    {
                        await JsonAsync(context, 400, """{"error":{"code":400,"message":"contents is not specified","status":"INVALID_ARGUMENT"}}""");
                        return;
                    }

                    await JsonAsync(context, 200, """{"totalTokens":31,"totalBillableCharacters":112,"promptTokensDetails":[{"modality":"TEXT","tokenCount":31}]}""");
                    return;
                case $"{Prefix}/anthropic/models/count-tokens:rawPredict":
                    // Anthropic's count_tokens body, the model named in it (the path names none).
                    if (body["model"]?.GetValue<string>() != ClaudeOnVertex)
                    {
                        await JsonAsync(context, 400, """{"type":"error","error":{"type":"invalid_request_error","message":"model: Field required"}}""");
                        return;
                    }

                    if (body.AsObject().Select(kv => kv.Key).FirstOrDefault(k => k is not ("model" or "messages" or "system" or "tools" or "tool_choice" or "thinking" or "anthropic_version" or "anthropic_beta" or "mcp_servers")) is { } extra)
                    {
                        await JsonAsync(context, 400, $$$"""{"type":"error","error":{"type":"invalid_request_error","message":"{{{extra}}}: Extra inputs are not permitted"}}""");
                        return;
                    }

                    if (BetaViolation(body) is { } badBeta)
                    {
                        await JsonAsync(context, 400, badBeta);
                        return;
                    }

                    await JsonAsync(context, 200, """{"input_tokens":42}""");
                    return;
                case $"{Prefix}/anthropic/models/{ClaudeOnVertex}:rawPredict" or $"{Prefix}/anthropic/models/{ClaudeOnVertex}:streamRawPredict":
                    var streaming = path.EndsWith(":streamRawPredict", StringComparison.Ordinal);
                    if (BetaViolation(body) is { } invalidBeta)
                    {
                        await JsonAsync(context, 400, invalidBeta);
                        return;
                    }

                    if (body["model"] is not null)
                    {
                        await JsonAsync(context, 400, """{"type":"error","error":{"type":"invalid_request_error","message":"model: Extra inputs are not permitted"}}""");
                        return;
                    }

                    if (body["anthropic_version"]?.GetValue<string>() != "vertex-2023-10-16")
                    {
                        await JsonAsync(context, 400, """{"type":"error","error":{"type":"invalid_request_error","message":"anthropic_version: Input should be 'vertex-2023-10-16'"}}""");
                        return;
                    }

                    if (streaming != (body["stream"]?.GetValue<bool>() == true))
                    {
                        await JsonAsync(context, 400, """{"type":"error","error":{"type":"invalid_request_error","message":"stream does not match the method"}}""");
                        return;
                    }

                    if (streaming)
                    {
                        await ClaudeStreamAsync(context, second);
                    }
                    else
                    {
                        await JsonAsync(context, 200, ClaudeAnswer(second));
                    }

                    return;
                default:
                    await JsonAsync(context, 404, """{"error":{"code":404,"message":"Publisher Model was not found or your project does not have access to it.","status":"NOT_FOUND"}}""");
                    return;
            }
        }

        /// <summary><c>anthropic_beta</c> is a list of beta names; Anthropic's credential betas mean nothing to Vertex.</summary>
        private static string? BetaViolation(JsonNode body) => body["anthropic_beta"] switch
        {
            null => null,
            JsonArray betas when betas.All(b => b is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String) =>
                betas.Any(b => b!.GetValue<string>().StartsWith("oauth-", StringComparison.Ordinal))
                    ? """{"type":"error","error":{"type":"invalid_request_error","message":"Unexpected value(s) for the `anthropic-beta` header. Please consult our documentation at docs.anthropic.com or try again without the header."}}"""
                    : null,
            _ => """{"type":"error","error":{"type":"invalid_request_error","message":"anthropic_beta: Input should be a valid list"}}""",
        };

        private async Task TokenAsync(HttpContext context, RecordedRequest request)
        {
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Body); // the recorder has read the body
            var reason = form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer"
                ? "unsupported grant_type"
                : Account.Reject(form.GetValueOrDefault("assertion").ToString(), DateTimeOffset.UtcNow);
            if (reason is not null)
            {
                Rejections.Enqueue(reason);
                await JsonAsync(context, 400, $$"""{"error":"invalid_grant","error_description":"{{reason}}"}""");
                return;
            }

            var token = $"ya29.e2e-{Interlocked.Increment(ref _issued)}";
            _valid[token] = true;
            await JsonAsync(context, 200, $$"""{"access_token":"{{token}}","expires_in":3599,"token_type":"Bearer"}""");
        }

        private static string GeminiAnswer(bool text) => text
            ? """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny in Paris."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"gemini-2.5-flash"}"""
            : """{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":5,"totalTokenCount":17},"modelVersion":"gemini-2.5-flash"}""";

        private static string ClaudeAnswer(bool text) => text
            ? """{"id":"msg_vrtx_2","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"It is sunny in Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":6}}"""
            : """{"id":"msg_vrtx_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":"toolu_vrtx_1","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":5}}""";

        private static async Task ClaudeStreamAsync(HttpContext context, bool text)
        {
            context.Response.ContentType = "text/event-stream";
            string[] events =
            [
                "message_start", """{"type":"message_start","message":{"id":"msg_vrtx_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}""",
                .. text
                    ? (string[])["content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
                        "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"It is sunny in Paris."}}"""]
                    : ["content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_vrtx_1","name":"get_weather","input":{}}}""",
                        "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}""",
                        "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"is\"}"}}"""],
                "content_block_stop", """{"type":"content_block_stop","index":0}""",
                "message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"{{{(text ? "end_turn" : "tool_use")}}}","stop_sequence":null},"usage":{"output_tokens":5}}""",
                "message_stop", """{"type":"message_stop"}""",
            ];
            for (var i = 0; i < events.Length; i += 2)
            {
                await context.Response.WriteAsync($"event: {events[i]}\ndata: {events[i + 1]}\n\n");
                await context.Response.Body.FlushAsync();
            }
        }

        private static async Task JsonAsync(HttpContext context, int status, string json)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json);
        }
    }
}
