using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Cli;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

/// <summary>
/// Antigravity end to end: the real <c>llm-mux login antigravity --no-browser</c> against a fake Google (authorize,
/// token, user info, loadCodeAssist), then the real <c>llm-mux serve</c> refreshing the short-lived token and serving a
/// Gemini and a Claude model through the v1internal envelope to a tool-calling client of every inbound dialect,
/// streaming and not; and a week-long quota reset honoured. The fake rejects what Google rejects: no or an unknown
/// bearer (401), another project (403), a malformed envelope or a stream without <c>alt=sse</c> (400).
/// </summary>
public sealed class AntigravityEndToEndTests(AntigravityEndToEndTests.Fixture fixture) : IClassFixture<AntigravityEndToEndTests.Fixture>
{
    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var dialect in new[] { "openai-chat", "openai-responses", "anthropic", "gemini", "ollama" })
        {
            foreach (var model in new[] { "gemini-3-flash", "claude-sonnet-4-5" })
            {
                data.Add(dialect, model, false);
                data.Add(dialect, model, true);
            }
        }

        return data;
    }

    [Fact]
    public async Task The_login_writes_the_antigravity_account_with_its_project()
    {
        Assert.True(fixture.Login.Code == 0, $"llm-mux login antigravity exited {fixture.Login.Code}:\n{fixture.Login.Error}\n{fixture.Login.Output}");
        Assert.Contains("Login received", await fixture.Login.Browser!, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-ag-1", fixture.Login.Output, StringComparison.Ordinal);
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.AuthDir, "antigravity-ada@example.com.json")))!;
        Assert.Equal("antigravity", file["type"]!.GetValue<string>());
        Assert.Equal("proj-ag", file["project_id"]!.GetValue<string>());
        Assert.Equal("1//r-ag", file["refresh_token"]!.GetValue<string>());

        var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = fixture.AuthDir };
        using var output = new StringWriter();
        Assert.Equal(0, await LlmMuxCli.RunAsync(["accounts", "--config", fixture.ConfigPath], env.GetValueOrDefault, output, TextWriter.Null));
        Assert.Contains("antigravity-ada@example.com", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_tool_call_round_trip_reaches_antigravity_from_every_dialect(string dialect, string model, bool stream)
    {
        Assert.True(fixture.Login.Code == 0, fixture.Login.Error);
        var client = Client(dialect);
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var before = fixture.ModelRequestCount;

        var first = client.Read(await SendAsync(http, client.FirstTurn(stream), model), stream);
        Assert.Equal("get_weather", first.ToolName);
        Assert.Equal("Paris", JsonNode.Parse(first.ToolArgs!)!["city"]!.GetValue<string>());

        var second = client.Read(await SendAsync(http, client.SecondTurn(stream, first), model), stream);
        Assert.Equal("It is sunny in Paris.", second.Text);

        // What Google received: the envelope of the IDE for the account's project, with the refreshed token.
        var sent = fixture.ModelRequestsSince(before);
        Assert.Equal(2, sent.Count);
        foreach (var request in sent)
        {
            Assert.Equal(stream ? "/v1internal:streamGenerateContent?alt=sse" : "/v1internal:generateContent", request.PathAndQuery);
            Assert.StartsWith("antigravity/", request.Headers["User-Agent"], StringComparison.Ordinal);
            var body = JsonNode.Parse(request.Body)!;
            Assert.Equal(model, body["model"]!.GetValue<string>());
            var declaration = body["request"]!["tools"]![0]!["functionDeclarations"]![0]!;
            Assert.Equal("get_weather", declaration["name"]!.GetValue<string>());
            if (model.StartsWith("claude", StringComparison.Ordinal))
            {
                // Claude reads only "parameters", in Google's Schema subset: the client's schema, cleaned to it.
                Assert.Null(declaration["parametersJsonSchema"]);
                Assert.Equal("string", declaration["parameters"]!["properties"]!["city"]!["type"]!.GetValue<string>());
                Assert.Equal(["c", "f"], declaration["parameters"]!["properties"]!["unit"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
                Assert.Equal(["city"], declaration["parameters"]!["required"]!.AsArray().Select(v => v!.GetValue<string>()));
            }
            else
            {
                Assert.Equal("https://json-schema.org/draft/2020-12/schema", declaration["parametersJsonSchema"]!["$schema"]!.GetValue<string>());
            }
        }

        Assert.Contains("18C and sunny", sent[1].Body, StringComparison.Ordinal);
        Assert.True(fixture.Refreshes >= 1, "the short-lived login token was refreshed before use");
        Assert.DoesNotContain("tok-ag-", fixture.Gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_week_long_claude_quota_hit_rests_claude_on_that_account_while_the_other_serves()
    {
        Assert.True(fixture.Login.Code == 0, fixture.Login.Error);
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var before = fixture.ModelRequestCount;

        // Ada's account answers 429 "reset after 167h59m3s" for this request; Bob's serves it.
        Assert.Equal("It is sunny in Paris.", await PlainChatAsync(http, "claude-opus-4-5-thinking", "QUOTA-WEEK 18C and sunny"));
        var sent = fixture.ModelRequestsSince(before);
        Assert.Equal(["proj-ag", "proj-bob"], sent.Select(r => JsonNode.Parse(r.Body)!["project"]!.GetValue<string>()));

        // Another Claude model: the family rests on Ada's account, only Bob's is asked.
        var next = fixture.ModelRequestCount;
        Assert.Equal("It is sunny in Paris.", await PlainChatAsync(http, "claude-sonnet-4-5-thinking", "again 18C and sunny"));
        Assert.Equal(["proj-bob"], fixture.ModelRequestsSince(next).Select(r => JsonNode.Parse(r.Body)!["project"]!.GetValue<string>()));

        // The management API shows the week-long rest of the family on Ada's account.
        using var list = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts");
        list.Headers.Add("X-Management-Key", Fixture.ManagementKey);
        var rows = JsonNode.Parse(await (await http.SendAsync(list)).Content.ReadAsStringAsync())!.AsArray();
        var ada = rows.Single(r => r!["id"]!.GetValue<string>().Contains("antigravity-ada", StringComparison.Ordinal))!;
        var until = DateTimeOffset.Parse(ada["model_cooldowns"]!["claude-*"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(until, DateTimeOffset.UtcNow.AddHours(167.5), DateTimeOffset.UtcNow.AddHours(168.5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_claude_thinking_tool_loop_from_an_openai_client_that_drops_reasoning_still_completes(bool stream)
    {
        Assert.True(fixture.Login.Code == 0, fixture.Login.Error);
        var client = new OpenAIChatClient();
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var before = fixture.ModelRequestCount;
        const string thinking = "claude-opus-4-5-thinking";
        const string asked = "\"reasoning_effort\":\"low\",\"max_tokens\":1024";

        var first = client.Read(await SendAsync(http, client.FirstTurn(stream), thinking, asked), stream);
        Assert.Equal("get_weather", first.ToolName);
        var second = client.Read(await SendAsync(http, client.SecondTurn(stream, first), thinking, asked), stream);
        Assert.Equal("It is sunny in Paris.", second.Text);

        var sent = fixture.ModelRequestsSince(before).Select(r => JsonNode.Parse(r.Body)!["request"]!["generationConfig"]!).ToList();
        Assert.Equal(2, sent.Count);
        // Thinking asked with "low" (2,048 tokens) under a 1,024 cap: the answer keeps room above the budget.
        Assert.Equal(2048, sent[0]["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.Equal(2048 + 4096, sent[0]["maxOutputTokens"]!.GetValue<int>());
        // The client replayed the call without the signed thinking: Claude gets that turn without thinking.
        Assert.Null(sent[1]["thinkingConfig"]);
        Assert.Equal(1024, sent[1]["maxOutputTokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_claude_thinking_tool_loop_from_an_anthropic_client_replays_the_signed_thinking()
    {
        Assert.True(fixture.Login.Code == 0, fixture.Login.Error);
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var before = fixture.ModelRequestCount;
        const string head = """{"model":"claude-opus-4-5-thinking","max_tokens":4096,"thinking":{"type":"enabled","budget_tokens":2048},"tools":[{"name":"get_weather","description":"Get weather","input_schema":""" + RichSchema + "}],";

        var first = JsonNode.Parse(await PostAsync(http, "/v1/messages", head + """ "messages":[{"role":"user","content":"Weather in Paris?"}]}"""))!;
        var content = first["content"]!.AsArray();
        Assert.Equal(["thinking", "tool_use"], content.Select(c => c!["type"]!.GetValue<string>()));
        var toolId = content[1]!["id"]!.GetValue<string>();

        // Claude Code replays the assistant turn as it got it: the signed thinking, then the call.
        var replay = head + $$""" "messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":{{content.ToJsonString()}}},{"role":"user","content":[{"type":"tool_result","tool_use_id":"{{toolId}}","content":"18C and sunny"}]}]}""";
        var second = JsonNode.Parse(await PostAsync(http, "/v1/messages", replay))!;
        Assert.Equal("It is sunny in Paris.", second["content"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "text")!["text"]!.GetValue<string>());

        var sent = fixture.ModelRequestsSince(before).Select(r => JsonNode.Parse(r.Body)!["request"]!).ToList();
        Assert.Equal(2048, sent[1]["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        var model = sent[1]["contents"]!.AsArray().Last(c => c!["role"]!.GetValue<string>() == "model")!["parts"]![0]!;
        Assert.True(model["thought"]!.GetValue<bool>());
        Assert.Equal(Fixture.ClaudeSignature, model["thoughtSignature"]!.GetValue<string>());
    }

    private static async Task<string> PostAsync(HttpClient http, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", Fixture.ClientKey);
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    private static async Task<string> PlainChatAsync(HttpClient http, string model, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", Fixture.ClientKey);
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
    }

    private static ClientScript Client(string dialect) => dialect switch
    {
        "openai-chat" => new OpenAIChatClient(),
        "openai-responses" => new OpenAIResponsesClient(),
        "anthropic" => new AnthropicClient(),
        "gemini" => new GeminiClient(),
        _ => new OllamaClient(),
    };

    /// <summary>The tool schema a real client sends (MCP servers, Claude Code, zod): JSON Schema 2020-12 with the keywords
    /// Google's Schema message does not know.</summary>
    private const string RichSchema = """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,"properties":{"city":{"type":"string","minLength":1,"format":"city"},"unit":{"anyOf":[{"$ref":"#/$defs/unit"},{"type":"null"}],"default":"c"},"days":{"type":["integer","null"],"exclusiveMinimum":0},"kind":{"const":"weather"}},"required":["city"],"$defs":{"unit":{"type":"string","enum":["c","f"]}}}""";

    private const string ScriptSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    /// <summary>Sends a client script's request for <paramref name="model"/> (the scripts name a model "m"), with the
    /// rich tool schema, with the llm-mux key.</summary>
    private static async Task<string> SendAsync(HttpClient http, HttpRequestMessage request, string model, string? extraFields = null)
    {
        var json = (await request.Content!.ReadAsStringAsync()).Replace("\"model\":\"m\"", $"\"model\":\"{model}\"", StringComparison.Ordinal)
            .Replace(ScriptSchema, RichSchema, StringComparison.Ordinal);
        if (extraFields is not null)
        {
            json = "{" + extraFields + "," + json.TrimStart()[1..];
        }

        Assert.Contains(RichSchema, json, StringComparison.Ordinal);
        using var sent = new HttpRequestMessage(request.Method, request.RequestUri!.OriginalString.Replace("/models/m:", $"/models/{model}:", StringComparison.Ordinal))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        sent.Headers.Add("x-api-key", Fixture.ClientKey);
        request.Dispose();
        var response = await http.SendAsync(sent);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public const string ClientKey = "client-key";
        public const string ManagementKey = "mgmt-e2e";

        private const string WeekLong429 = """{"error":{"code":429,"message":"You have exhausted your capacity on this model. Your quota will reset after 167h59m3s.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"QUOTA_EXHAUSTED","domain":"cloudcode-pa.googleapis.com","metadata":{"model":"claude-opus-4-5-thinking","quotaResetDelay":"167h59m3s"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"604743s"}]}}""";

        public const string ClaudeSignature = "sig-claude-1";

        /// <summary>The tokens Google knows, and the project each may use.</summary>
        private static readonly Dictionary<string, string> Projects = new() { ["tok-ag-2"] = "proj-ag", ["tok-bob"] = "proj-bob" };

        private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri)> _authorized = new();
        private FakeUpstream _fake = null!;
        private string _dir = "";
        private int _refreshes;

        public string ConfigPath => Path.Combine(_dir, "llm-mux.yaml");

        public string AuthDir => Path.Combine(_dir, "auth");

        internal GatewayProcess Gateway { get; private set; } = null!;

        public SubscriptionEndToEndTests.LoginRun Login { get; private set; } = null!;

        public int Refreshes => Volatile.Read(ref _refreshes);

        public int ModelRequestCount
        {
            get
            {
                lock (_fake.Requests)
                {
                    return _fake.Requests.Count;
                }
            }
        }

        public List<RecordedRequest> ModelRequestsSince(int skip)
        {
            lock (_fake.Requests)
            {
                return [.. _fake.Requests.Skip(skip).Where(r => r.PathAndQuery.StartsWith("/v1internal:generateContent", StringComparison.Ordinal) || r.PathAndQuery.StartsWith("/v1internal:streamGenerateContent", StringComparison.Ordinal))];
            }
        }

        public async Task InitializeAsync()
        {
            _fake = await FakeUpstream.StartAsync(HandleAsync);
            _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-antigravity-").FullName;
            await File.WriteAllTextAsync(ConfigPath, $$"""
                api-keys: [{{ClientKey}}]
                auth-dir: "{{AuthDir}}"
                management: { secret-key: "{{ManagementKey}}" }
                providers:
                  - name: ag
                    type: antigravity
                    strategy: fill-first
                    base-url: {{_fake.BaseUrl}}
                    oauth:
                      authorize-url: {{_fake.BaseUrl}}/ag/o/oauth2/v2/auth
                      token-url: {{_fake.BaseUrl}}/ag/token
                      client-id: ag-e2e-client
                      client-secret: ag-e2e-secret
                      callback-port: {{FreePort()}}
                      user-info-url: {{_fake.BaseUrl}}/ag/userinfo
                      code-assist-base-url: {{_fake.BaseUrl}}
                """);
            Login = await LoginAsync();

            // A second account, signed in elsewhere: its token is valid for hours.
            await File.WriteAllTextAsync(Path.Combine(AuthDir, "antigravity-bob@example.com.json"),
                $$"""{"type":"antigravity","email":"bob@example.com","project_id":"proj-bob","access_token":"tok-bob","refresh_token":"1//r-bob","expired":"{{DateTimeOffset.UtcNow.AddHours(6):O}}"}""");
            Gateway = await GatewayProcess.StartAsync(ConfigPath);
        }

        public async Task DisposeAsync()
        {
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }

            await _fake.DisposeAsync();
            Directory.Delete(_dir, recursive: true);
        }

        private async Task<SubscriptionEndToEndTests.LoginRun> LoginAsync()
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var output = new SubscriptionEndToEndTests.BrowserPlayingWriter(cancel.Token);
            using var error = new StringWriter();
            using var handler = new SubscriptionEndToEndTests.LoopbackOnly();
            var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = AuthDir };
            var code = await LoginCommand.RunAsync(
                new LoginFlags("antigravity", NoBrowser: true, Config: ConfigPath),
                env.GetValueOrDefault, output, error, input: null, handler, new SubscriptionEndToEndTests.ImmediateTimers(),
                _ => throw new InvalidOperationException("--no-browser must not open a browser"), cancel.Token);
            return new SubscriptionEndToEndTests.LoginRun(code, output.ToString(), error.ToString(), output.Browser);
        }

        private async Task HandleAsync(HttpContext context, RecordedRequest request)
        {
            switch (context.Request.Path.Value)
            {
                case "/ag/o/oauth2/v2/auth":
                {
                    var q = context.Request.Query;
                    var redirect = q["redirect_uri"].ToString();
                    var ok = q["client_id"] == "ag-e2e-client" && q["response_type"] == "code" && q["code_challenge_method"] == "S256"
                        && q["scope"].ToString().Contains("auth/cclog", StringComparison.Ordinal) && q["access_type"] == "offline";
                    if (ok)
                    {
                        _authorized["ag"] = (q["code_challenge"].ToString(), redirect);
                    }

                    context.Response.Redirect(ok ? $"{redirect}?code=ag-code&state={Uri.EscapeDataString(q["state"].ToString())}" : $"{redirect}?error=invalid_request&state={Uri.EscapeDataString(q["state"].ToString())}");
                    return;
                }

                case "/ag/token":
                {
                    var form = Form(request.Body);
                    if (form.GetValueOrDefault("client_id") != "ag-e2e-client" || form.GetValueOrDefault("client_secret") != "ag-e2e-secret")
                    {
                        await JsonAsync(context, """{"error":"invalid_client"}""", 401);
                        return;
                    }

                    if (form.GetValueOrDefault("grant_type") == "refresh_token")
                    {
                        if (form.GetValueOrDefault("refresh_token") != "1//r-ag")
                        {
                            await JsonAsync(context, """{"error":"invalid_grant","error_description":"Bad Request"}""", 400);
                            return;
                        }

                        Interlocked.Increment(ref _refreshes);
                        await JsonAsync(context, """{"access_token":"tok-ag-2","expires_in":3599,"token_type":"Bearer"}""");
                        return;
                    }

                    var ok = _authorized.TryGetValue("ag", out var a) && form.GetValueOrDefault("grant_type") == "authorization_code"
                        && form.GetValueOrDefault("code") == "ag-code" && form.GetValueOrDefault("redirect_uri") == a.RedirectUri
                        && form.GetValueOrDefault("code_verifier") is { } verifier && Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) == a.Challenge;
                    // A token that is about to expire: the gateway must refresh it before its first use.
                    await JsonAsync(context, ok ? """{"access_token":"tok-ag-1","refresh_token":"1//r-ag","expires_in":60,"token_type":"Bearer"}""" : """{"error":"invalid_grant"}""", ok ? 200 : 400);
                    return;
                }

                case "/ag/userinfo":
                    await BearerAsync(context, "tok-ag-1", """{"email":"ada@example.com","verified_email":true}""");
                    return;
                case "/v1internal:loadCodeAssist" when context.Request.Headers.UserAgent.ToString().StartsWith("antigravity/", StringComparison.Ordinal):
                    await BearerAsync(context, "tok-ag-1", """{"currentTier":{"id":"free-tier"},"cloudaicompanionProject":"proj-ag"}""");
                    return;
                case "/v1internal:generateContent":
                    await GenerateAsync(context, request, stream: false);
                    return;
                case "/v1internal:streamGenerateContent":
                    await GenerateAsync(context, request, stream: true);
                    return;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }
        }

        /// <summary>Google's v1internal generate: the checks it makes, then a tool call or (with the tool result) text.</summary>
        private static async Task GenerateAsync(HttpContext context, RecordedRequest request, bool stream)
        {
            var bearer = context.Request.Headers.Authorization.ToString();
            if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !Projects.TryGetValue(bearer[7..], out var project))
            {
                await JsonAsync(context, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""", 401);
                return;
            }

            JsonNode? body;
            try
            {
                body = JsonNode.Parse(request.Body);
            }
            catch (System.Text.Json.JsonException)
            {
                body = null;
            }

            var valid = body is JsonObject envelope
                && envelope["model"]?.GetValue<string>() is { Length: > 0 }
                && envelope["userAgent"]?.GetValue<string>() == "antigravity"
                && envelope["requestType"]?.GetValue<string>() == "agent"
                && envelope["requestId"]?.GetValue<string>()?.StartsWith("agent-", StringComparison.Ordinal) == true
                && envelope["request"]?["contents"] is JsonArray { Count: > 0 }
                && envelope["request"]?["safetySettings"] is null
                && (!stream || context.Request.Query["alt"] == "sse");
            if (!valid)
            {
                await JsonAsync(context, """{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}""", 400);
                return;
            }

            if (body!["project"]?.GetValue<string>() != project)
            {
                await JsonAsync(context, """{"error":{"code":403,"message":"Permission denied on resource project.","status":"PERMISSION_DENIED"}}""", 403);
                return;
            }

            if (project == "proj-ag" && request.Body.Contains("QUOTA-WEEK", StringComparison.Ordinal))
            {
                await JsonAsync(context, WeekLong429, 429);
                return;
            }

            var model = body["model"]!.GetValue<string>();
            var claude = model.StartsWith("claude", StringComparison.Ordinal);
            if (claude && (ClaudeToolRejection(body["request"]!) ?? ClaudeThinkingRejection(body["request"]!)) is { } rejection)
            {
                await JsonAsync(context, rejection, 400);
                return;
            }

            var secondTurn = request.Body.Contains("18C and sunny", StringComparison.Ordinal);
            // Claude thinking through Antigravity: a signed thought part before the call.
            var thought = claude && body["request"]!["generationConfig"]?["thinkingConfig"] is not null
                ? $$"""{"text":"Checking the weather.","thought":true,"thoughtSignature":"{{ClaudeSignature}}"},"""
                : "";
            var toolCall = $$$$"""{"candidates":[{"content":{"role":"model","parts":[{{{{thought}}}}{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"{{{{model}}}}","responseId":"r1"}""";
            var text = $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"{{model}}","responseId":"r2"}""";
            if (!stream)
            {
                await JsonAsync(context, $$"""{"response":{{(secondTurn ? text : toolCall)}}}""");
                return;
            }

            string[] chunks = secondTurn
                ? [
                    $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny"}]},"index":0}],"modelVersion":"{{model}}","responseId":"r2"}""",
                    $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":" in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"{{model}}","responseId":"r2"}""",
                ]
                : [toolCall];
            context.Response.ContentType = "text/event-stream";
            foreach (var chunk in chunks)
            {
                await context.Response.WriteAsync("data: {\"response\":" + chunk + "}\r\n\r\n");
                await context.Response.Body.FlushAsync();
            }
        }

        /// <summary>Fields Google's Schema message (the type of <c>parameters</c>) knows; any other is "Unknown name".</summary>
        private static readonly HashSet<string> SchemaFields =
        [
            "type", "format", "title", "description", "nullable", "default", "items", "minItems", "maxItems", "enum", "properties",
            "propertyOrdering", "required", "minProperties", "maxProperties", "minimum", "maximum", "minLength", "maxLength",
            "pattern", "example", "anyOf",
        ];

        /// <summary>
        /// What Antigravity answers tools for a Claude model with: a declaration without <c>parameters</c> (its
        /// <c>parametersJsonSchema</c> is not handed to Claude) gets Claude's own 400 inside Google's; a field Google's
        /// Schema does not know, or a type that is not one name, gets Google's "Invalid JSON payload"; a union at the
        /// root gets Claude's draft 2020-12 refusal.
        /// </summary>
        private static string? ClaudeToolRejection(JsonNode request)
        {
            var declarations = (request["tools"] as JsonArray ?? []).SelectMany(t => t?["functionDeclarations"] as JsonArray ?? []).ToList();
            for (var i = 0; i < declarations.Count; i++)
            {
                if (declarations[i]?["parameters"] is not JsonObject parameters)
                {
                    return ClaudeError($"tools.{i}.custom.input_schema: Field required");
                }

                var path = $"request.tools[0].function_declarations[{i}].parameters";
                if (SchemaViolation(parameters, path) is { } violation)
                {
                    return GoogleError(violation);
                }

                if (parameters["anyOf"] is not null || parameters["type"]?.GetValue<string>() is not ("object" or "OBJECT"))
                {
                    return ClaudeError($"tools.{i}.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12).");
                }
            }

            return null;
        }

        /// <summary>
        /// Claude's thinking rules, as Antigravity relays them: a thought part needs its signature; with thinking on,
        /// <c>maxOutputTokens</c> must exceed the budget, and a last model turn that calls tools must open with its
        /// signed thinking.
        /// </summary>
        private static string? ClaudeThinkingRejection(JsonNode request)
        {
            var contents = request["contents"] as JsonArray ?? [];
            for (var n = 0; n < contents.Count; n++)
            {
                var parts = contents[n]?["parts"] as JsonArray ?? [];
                for (var k = 0; k < parts.Count; k++)
                {
                    if (parts[k]?["thought"]?.GetValue<bool>() == true && parts[k]?["thoughtSignature"] is null)
                    {
                        return ClaudeError($"messages.{n}.content.{k}.thinking.signature: Field required");
                    }
                }
            }

            if (request["generationConfig"]?["thinkingConfig"] is not JsonObject thinking)
            {
                return null;
            }

            if (thinking["thinkingBudget"]?.GetValue<int>() is { } budget && request["generationConfig"]?["maxOutputTokens"]?.GetValue<int>() is { } max && max <= budget)
            {
                return ClaudeError("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
            }

            var last = contents.Select((c, n) => (Content: c, Index: n)).LastOrDefault(c => c.Content?["role"]?.GetValue<string>() == "model");
            var lastParts = last.Content?["parts"] as JsonArray ?? [];
            var opening = lastParts.FirstOrDefault();
            var signedOpening = opening?["thought"]?.GetValue<bool>() == true || opening?["thoughtSignature"] is not null;
            if (lastParts.Any(p => p?["functionCall"] is not null) && !signedOpening)
            {
                return ClaudeError($"messages.{last.Index}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`.");
            }

            return null;
        }

        private static string? SchemaViolation(JsonObject schema, string path)
        {
            foreach (var (key, value) in schema)
            {
                if (!SchemaFields.Contains(key))
                {
                    return $"Invalid JSON payload received. Unknown name \"{key}\" at '{path}': Cannot find field.";
                }

                if (key == "type" && value is not JsonValue)
                {
                    return $"Invalid value at '{path}.type' (type.googleapis.com/google.cloud.aiplatform.master.Type), {value?.ToJsonString()}";
                }

                var inner = key switch
                {
                    "properties" => (value as JsonObject ?? []).Select((p, n) => p.Value is JsonObject o ? SchemaViolation(o, $"{path}.properties[{n}].value") : null).FirstOrDefault(v => v is not null),
                    "items" when value is JsonObject o => SchemaViolation(o, $"{path}.items"),
                    "anyOf" => (value as JsonArray ?? []).Select((b, n) => b is JsonObject o ? SchemaViolation(o, $"{path}.any_of[{n}]") : null).FirstOrDefault(v => v is not null),
                    "enum" when value is JsonArray values && values.Any(v => v is not JsonValue e || e.GetValueKind() != System.Text.Json.JsonValueKind.String) =>
                        $"Invalid value at '{path}.enum' (TYPE_STRING), {values.ToJsonString()}",
                    _ => null,
                };
                if (inner is not null)
                {
                    return inner;
                }
            }

            return null;
        }

        private static string ClaudeError(string message) =>
            GoogleError(new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["message"] = message }, ["request_id"] = "req_vrtx_fake" }.ToJsonString());

        private static string GoogleError(string message) =>
            new JsonObject { ["error"] = new JsonObject { ["code"] = 400, ["message"] = message, ["status"] = "INVALID_ARGUMENT" } }.ToJsonString();

        private static Task BearerAsync(HttpContext context, string token, string body) =>
            context.Request.Headers.Authorization == $"Bearer {token}" ? JsonAsync(context, body) : JsonAsync(context, """{"error":{"code":401,"status":"UNAUTHENTICATED"}}""", 401);

        private static Task JsonAsync(HttpContext context, string body, int status = 200)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body);
        }

        private static Dictionary<string, string> Form(string body) =>
            body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
