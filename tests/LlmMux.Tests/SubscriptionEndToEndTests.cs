using System.ClientModel;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Cli;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;
using OpenAI;
using OpenAI.Chat;

namespace LlmMux.Tests;

/// <summary>
/// Issue 6 end to end, for claude, codex, gemini and copilot: each account is created by the real <c>llm-mux login
/// &lt;type&gt; --no-browser</c> command against local fakes (the test plays the browser: it opens the printed URL, the fake
/// authorize page redirects to the login's callback listener; copilot runs the device flow), then the real
/// <c>llm-mux serve</c> (a child process) serves them to the official OpenAI SDK through a tool-call round trip, streaming
/// and not, and <c>llm-mux accounts</c> lists all four as ready. One fake plays every OAuth endpoint and every upstream.
/// </summary>
public sealed class SubscriptionEndToEndTests(SubscriptionEndToEndTests.Fixture fixture) : IClassFixture<SubscriptionEndToEndTests.Fixture>
{
    private const string ToolResult = "18C and sunny";
    private const string FinalText = "It is sunny in Paris.";

    public static TheoryData<string> Providers => new() { "claude", "codex", "gemini", "copilot" };

    public static TheoryData<string, bool> ProvidersAndModes => new()
    {
        { "claude", false }, { "claude", true },
        { "codex", false }, { "codex", true },
        { "gemini", false }, { "gemini", true },
        { "copilot", false }, { "copilot", true },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_login_command_writes_the_account_from_the_fake_provider(string type)
    {
        var login = fixture.Logins[type];
        Assert.True(login.Code == 0, $"llm-mux login {type} exited {login.Code}:\n{login.Error}\n{login.Output}");
        if (type != "copilot")
        {
            Assert.NotNull(login.Browser); // the sign-in URL was printed and opened
            var page = await login.Browser; // the callback listener's answer to the redirected browser
            Assert.Contains("Login received", page, StringComparison.Ordinal);
        }

        var expected = Fixture.Expected[type];
        Assert.Contains($"Account '{expected.Id}' ({expected.Id}.json) is ready", login.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(expected.Token, login.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(expected.Token, login.Error, StringComparison.Ordinal);

        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.AuthDir, expected.Id + ".json")))!;
        switch (type)
        {
            case "claude":
                Assert.Equal("alice@example.com", file["email"]!.GetValue<string>());
                Assert.Equal(expected.Token, file["access_token"]!.GetValue<string>());
                Assert.Equal("r-claude", file["refresh_token"]!.GetValue<string>());
                break;
            case "codex":
                Assert.Equal("carol@example.com", file["email"]!.GetValue<string>());
                Assert.Equal(expected.Token, file["access_token"]!.GetValue<string>());
                Assert.Equal("acct-e2e", file["account_id"]!.GetValue<string>());
                break;
            case "gemini":
                Assert.Equal("gina@example.com", file["email"]!.GetValue<string>());
                Assert.Equal("proj-e2e", file["project_id"]!.GetValue<string>());
                Assert.Equal(expected.Token, file["token"]!["access_token"]!.GetValue<string>());
                break;
            default:
                Assert.Equal("github-copilot", file["type"]!.GetValue<string>());
                Assert.Equal("octocat", file["username"]!.GetValue<string>());
                Assert.Equal(expected.Token, file["access_token"]!.GetValue<string>());
                Assert.Contains("ABCD-1234", login.Output, StringComparison.Ordinal);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(ProvidersAndModes))]
    public async Task The_openai_sdk_runs_a_tool_call_round_trip_through_the_account(string type, bool stream)
    {
        Assert.True(fixture.Logins[type].Code == 0, $"login {type} failed:\n{fixture.Logins[type].Error}");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // fail instead of hang
        var client = new ChatClient(Fixture.Models[type], new ApiKeyCredential(Fixture.ClientKey), new OpenAIClientOptions { Endpoint = new Uri(fixture.Gateway.BaseUrl + "/v1") });
        var options = new ChatCompletionOptions
        {
            Tools =
            {
                ChatTool.CreateFunctionTool(
                    "get_weather",
                    "Current weather of a city",
                    BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")),
            },
        };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];
        var before = fixture.UpstreamRequestCount;

        // Turn 1: the upstream asks for the tool.
        var first = await TurnAsync(client, messages, options, stream, cancel.Token);
        Assert.Equal(ChatFinishReason.ToolCalls, first.Finish);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", JsonNode.Parse(call.Arguments)!["city"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(call.Id));

        // Turn 2: the tool result goes back; the upstream answers with text.
        messages.Add(new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(call.Id, call.Name, BinaryData.FromString(call.Arguments))]));
        messages.Add(new ToolChatMessage(call.Id, ToolResult));
        var second = await TurnAsync(client, messages, options, stream, cancel.Token);
        Assert.Equal(FinalText, second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.Finish);
        Assert.Empty(second.ToolCalls);

        // What the upstream saw: the account's credential, the tool declared, and the tool call paired with its result.
        var sent = fixture.UpstreamRequestsSince(before);
        Assert.Equal(2, sent.Count);
        AssertUpstreamRequest(type, stream, sent[0], call.Id, secondTurn: false);
        AssertUpstreamRequest(type, stream, sent[1], call.Id, secondTurn: true);
    }

    [Fact]
    public async Task The_accounts_command_lists_all_four_logins_as_ready_with_their_expiry()
    {
        foreach (var (type, login) in fixture.Logins)
        {
            Assert.True(login.Code == 0, $"login {type} failed:\n{login.Error}");
        }

        var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = fixture.AuthDir };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LlmMuxCli.RunAsync(["accounts", "--config", fixture.ConfigPath], env.GetValueOrDefault, output, error);

        Assert.True(code == 0, error.ToString());
        var list = output.ToString();
        Assert.Equal(new[] { "ID", "PROVIDER", "USER", "STATE", "EXPIRES", "QUOTA" }, Cells(list.Split('\n')[0]));
        foreach (var (type, expected) in Fixture.Expected)
        {
            var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.AuthDir, expected.Id + ".json")))!;
            var expiryText = type switch
            {
                "claude" or "codex" => file["expired"]!.GetValue<string>(),
                "gemini" => file["token"]!["expiry"]!.GetValue<string>(),
                _ => null,
            };
            string[] expires = ["-"];
            if (expiryText is not null)
            {
                // The expiry is the token endpoint's expires_in counted from the login.
                var expiry = DateTimeOffset.Parse(expiryText, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(expiry, fixture.LoginsStarted + expected.ExpiresIn - TimeSpan.FromSeconds(5), fixture.LoginsEnded + expected.ExpiresIn + TimeSpan.FromSeconds(5));
                expires = AccountsCommand.Expires(expiry).Split(' ');
            }

            string[] row = [expected.Id, type, expected.User, "ready", .. expires, "-"];
            Assert.True(list.Split('\n').Any(l => Cells(l).SequenceEqual(row)), $"no row '{string.Join(' ', row)}' in:\n{list}");
        }

        Assert.DoesNotContain("Skipped files", list, StringComparison.Ordinal);
        foreach (var expected in Fixture.Expected.Values)
        {
            Assert.DoesNotContain(expected.Token, list, StringComparison.Ordinal);
        }
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record ToolCallSeen(string Id, string Name, string Arguments);

    private sealed record TurnResult(string Text, ChatFinishReason? Finish, List<ToolCallSeen> ToolCalls);

    private static async Task<TurnResult> TurnAsync(ChatClient client, List<ChatMessage> messages, ChatCompletionOptions options, bool stream, CancellationToken ct)
    {
        if (!stream)
        {
            ChatCompletion completion = await client.CompleteChatAsync(messages, options, ct);
            return new TurnResult(
                string.Concat(completion.Content.Select(c => c.Text)),
                completion.FinishReason,
                [.. completion.ToolCalls.Select(c => new ToolCallSeen(c.Id, c.FunctionName, c.FunctionArguments.ToString()))]);
        }

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options, ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            foreach (var tool in update.ToolCallUpdates)
            {
                var entry = calls.TryGetValue(tool.Index, out var existing) ? existing : (null, null, new StringBuilder());
                entry.Id ??= tool.ToolCallId;
                entry.Name ??= tool.FunctionName;
                if (tool.FunctionArgumentsUpdate is { } arguments && !arguments.ToMemory().IsEmpty)
                {
                    entry.Arguments.Append(arguments.ToString());
                }

                calls[tool.Index] = entry;
            }

            finish ??= update.FinishReason;
        }

        return new TurnResult(text.ToString(), finish, [.. calls.Values.Select(c => new ToolCallSeen(c.Id ?? "", c.Name ?? "", c.Arguments.ToString()))]);
    }

    private static void AssertUpstreamRequest(string type, bool stream, RecordedRequest sent, string callId, bool secondTurn)
    {
        var body = JsonNode.Parse(sent.Body)!;
        var turn = secondTurn ? "second" : "first";
        Assert.True(sent.Body.Contains(ToolResult, StringComparison.Ordinal) == secondTurn, $"{turn} turn body: {sent.Body}");
        switch (type)
        {
            case "claude":
                Assert.Equal("/v1/messages?beta=true", sent.PathAndQuery);
                Assert.Equal("Bearer tok-claude", sent.Headers["Authorization"]);
                Assert.Contains("oauth-2025-04-20", sent.Headers["anthropic-beta"], StringComparison.Ordinal);
                Assert.Equal(stream, body["stream"]?.GetValue<bool>() ?? false);
                Assert.Contains(body["tools"]!.AsArray(), t => t!["name"]?.GetValue<string>() == "get_weather");
                if (secondTurn)
                {
                    Assert.Equal("toolu_1", callId); // the upstream's id reached the SDK unchanged
                    AssertHas(body, n => Str(n, "type") == "tool_use" && Str(n, "id") == callId && Str(n, "name") == "get_weather" && Str(Child(n, "input"), "city") == "Paris", "assistant tool_use", sent.Body);
                    AssertHas(body, n => Str(n, "type") == "tool_result" && Str(n, "tool_use_id") == callId && n.ToJsonString().Contains(ToolResult, StringComparison.Ordinal), "tool_result", sent.Body);
                }

                break;
            case "codex":
                Assert.Equal("/backend-api/codex/responses", sent.PathAndQuery);
                Assert.Equal("Bearer tok-codex", sent.Headers["Authorization"]);
                Assert.Equal("acct-e2e", sent.Headers["Chatgpt-Account-Id"]);
                Assert.True(body["stream"]!.GetValue<bool>());
                Assert.False(body["store"]!.GetValue<bool>());
                AssertHas(body["tools"]!, n => Str(n, "type") == "function" && Str(n, "name") == "get_weather", "function tool", sent.Body);
                if (secondTurn)
                {
                    Assert.Equal("call_1", callId);
                    AssertHas(body["input"]!, n => Str(n, "type") == "function_call" && Str(n, "call_id") == callId && Str(n, "name") == "get_weather"
                        && JsonNode.Parse(Str(n, "arguments") ?? "{}")!["city"]?.GetValue<string>() == "Paris", "function_call item", sent.Body);
                    AssertHas(body["input"]!, n => Str(n, "type") == "function_call_output" && Str(n, "call_id") == callId && n.ToJsonString().Contains(ToolResult, StringComparison.Ordinal), "function_call_output item", sent.Body);
                }

                break;
            case "gemini":
                Assert.Equal(stream ? "/v1internal:streamGenerateContent?alt=sse" : "/v1internal:generateContent", sent.PathAndQuery);
                Assert.Equal("Bearer tok-gemini", sent.Headers["Authorization"]);
                Assert.Equal("proj-e2e", body["project"]!.GetValue<string>());
                Assert.Equal("gemini-2.5-pro", body["model"]!.GetValue<string>());
                AssertHas(body["request"]!["tools"]!, n => Str(n, "name") == "get_weather" && (Child(n, "parameters") ?? Child(n, "parametersJsonSchema")) is not null, "function declaration", sent.Body);
                if (secondTurn)
                {
                    AssertHas(body["request"]!["contents"]!, n => Child(n, "functionCall") is { } f && Str(f, "name") == "get_weather" && Str(Child(f, "args"), "city") == "Paris", "functionCall part", sent.Body);
                    AssertHas(body["request"]!["contents"]!, n => Child(n, "functionResponse") is { } f && Str(f, "name") == "get_weather" && f.ToJsonString().Contains(ToolResult, StringComparison.Ordinal), "functionResponse part", sent.Body);
                }

                break;
            default:
                Assert.Equal("/chat/completions", sent.PathAndQuery);
                Assert.Equal("Bearer tok-copilot", sent.Headers["Authorization"]);
                Assert.Equal("vscode-chat", sent.Headers["Copilot-Integration-Id"]);
                Assert.Equal(stream, body["stream"]?.GetValue<bool>() ?? false);
                AssertHas(body["tools"]!, n => Str(Child(n, "function"), "name") == "get_weather", "function tool", sent.Body);
                if (secondTurn)
                {
                    Assert.Equal("call_1", callId);
                    AssertHas(body["messages"]!, n => Str(n, "role") == "assistant" && Child(n, "tool_calls") is JsonArray { Count: 1 } calls && Str(calls[0], "id") == callId && Str(Child(calls[0], "function"), "name") == "get_weather", "assistant tool_calls", sent.Body);
                    AssertHas(body["messages"]!, n => Str(n, "role") == "tool" && Str(n, "tool_call_id") == callId && n.ToJsonString().Contains(ToolResult, StringComparison.Ordinal), "tool message", sent.Body);
                }

                break;
        }
    }

    private static string? Str(JsonNode? node, string name) =>
        Child(node, name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonNode? Child(JsonNode? node, string name) => node is JsonObject o ? o[name] : null;

    private static void AssertHas(JsonNode root, Func<JsonNode, bool> predicate, string what, string body) =>
        Assert.True(Descendants(root).Any(predicate), $"no {what} in the upstream request: {body}");

    private static IEnumerable<JsonNode> Descendants(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var d in Descendants(child))
            {
                yield return d;
            }
        }
    }

    /// <summary>What one <c>llm-mux login</c> run printed; <see cref="Browser"/> is the played browser's final page.</summary>
    public sealed record LoginRun(int Code, string Output, string Error, Task<string>? Browser);

    public sealed record ExpectedAccount(string Id, string User, string Token, TimeSpan ExpiresIn);

    /// <summary>
    /// The fake (OAuth for all four + every upstream), the four logins through the CLI's login command, then the real
    /// gateway process on the resulting auth dir.
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public const string ClientKey = "client-key";

        public static readonly IReadOnlyDictionary<string, string> Models = new Dictionary<string, string>
        {
            ["claude"] = "claude-sonnet-4-5",
            ["codex"] = "gpt-5-codex",
            ["gemini"] = "gemini-2.5-pro",
            ["copilot"] = "gpt-4.1",
        };

        public static readonly IReadOnlyDictionary<string, ExpectedAccount> Expected = new Dictionary<string, ExpectedAccount>
        {
            ["claude"] = new("claude-alice@example.com", "alice@example.com", "tok-claude", TimeSpan.FromSeconds(28800)),
            ["codex"] = new("codex-carol@example.com", "carol@example.com", "tok-codex", TimeSpan.FromSeconds(864000)),
            ["gemini"] = new("gemini-gina@example.com", "gina@example.com", "tok-gemini", TimeSpan.FromSeconds(3599)),
            ["copilot"] = new("github-copilot-octocat", "octocat", "gho-e2e", TimeSpan.Zero),
        };

        private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri, string State)> _authorized = new();
        private int _devicePolls;
        private FakeUpstream _fake = null!;
        private string _dir = "";

        public string ConfigPath => Path.Combine(_dir, "llm-mux.yaml");

        public string AuthDir => Path.Combine(_dir, "auth");

        internal GatewayProcess Gateway { get; private set; } = null!;

        public Dictionary<string, LoginRun> Logins { get; } = [];

        public DateTimeOffset LoginsStarted { get; private set; }

        public DateTimeOffset LoginsEnded { get; private set; }

        public int UpstreamRequestCount
        {
            get
            {
                lock (_fake.Requests)
                {
                    return _fake.Requests.Count;
                }
            }
        }

        /// <summary>Model requests (not OAuth or token calls) the fake received after the first <paramref name="skip"/> requests.</summary>
        public List<RecordedRequest> UpstreamRequestsSince(int skip)
        {
            lock (_fake.Requests)
            {
                return [.. _fake.Requests.Skip(skip).Where(r => IsModelPath(r.PathAndQuery))];
            }
        }

        private static bool IsModelPath(string pathAndQuery) =>
            pathAndQuery.StartsWith("/v1/messages", StringComparison.Ordinal)
            || pathAndQuery.StartsWith("/backend-api/codex/responses", StringComparison.Ordinal)
            || pathAndQuery.StartsWith("/v1internal:generateContent", StringComparison.Ordinal)
            || pathAndQuery.StartsWith("/v1internal:streamGenerateContent", StringComparison.Ordinal)
            || pathAndQuery.StartsWith("/chat/completions", StringComparison.Ordinal);

        public async Task InitializeAsync()
        {
            _fake = await FakeUpstream.StartAsync(HandleAsync);
            _dir = Directory.CreateTempSubdirectory("llm-mux-e2e-subscriptions-").FullName;
            await File.WriteAllTextAsync(ConfigPath, Config(_fake.BaseUrl));

            LoginsStarted = DateTimeOffset.UtcNow;
            foreach (var type in Models.Keys)
            {
                Logins[type] = await LoginAsync(type);
            }

            LoginsEnded = DateTimeOffset.UtcNow;
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

        private string Config(string fake) => $$"""
            api-keys: [{{ClientKey}}]
            auth-dir: "{{AuthDir}}"
            providers:
              - name: claude
                type: claude
                base-url: {{fake}}
                models: [{{Models["claude"]}}]
                oauth:
                  authorize-url: {{fake}}/claude/oauth/authorize
                  token-url: {{fake}}/claude/oauth/token
                  client-id: claude-e2e-client
                  callback-port: {{FreePort()}}
              - name: codex
                type: codex
                base-url: {{fake}}/backend-api/codex
                models: [{{Models["codex"]}}]
                oauth:
                  authorize-url: {{fake}}/codex/oauth/authorize
                  token-url: {{fake}}/codex/oauth/token
                  client-id: codex-e2e-client
                  callback-port: {{FreePort()}}
              - name: gemini
                type: gemini
                base-url: {{fake}}
                models: [{{Models["gemini"]}}]
                oauth:
                  authorize-url: {{fake}}/gemini/o/oauth2/auth
                  token-url: {{fake}}/gemini/token
                  client-id: gemini-e2e-client
                  client-secret: gemini-e2e-secret
                  callback-port: {{FreePort()}}
                  user-info-url: {{fake}}/gemini/oauth2/v1/userinfo?alt=json
                  code-assist-base-url: {{fake}}
              - name: copilot
                type: copilot
                base-url: {{fake}}
                models: [{{Models["copilot"]}}]
                oauth:
                  device-code-url: {{fake}}/github/login/device/code
                  token-url: {{fake}}/github/login/oauth/access_token
                  copilot-token-url: {{fake}}/copilot_internal/v2/token
                  github-user-url: {{fake}}/github/user
                  client-id: copilot-e2e-client
            """;

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        /// <summary>
        /// <c>llm-mux login &lt;type&gt; --no-browser --config …</c> through the CLI's login command, with only the test's
        /// seams: an HTTP handler that refuses anything but loopback, timers that fire at once (the device flow's
        /// 5 s polling), and an output that plays the browser when the sign-in URL is printed.
        /// </summary>
        private async Task<LoginRun> LoginAsync(string type)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var output = new BrowserPlayingWriter(cancel.Token);
            using var error = new StringWriter();
            using var handler = new LoopbackOnly();
            var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = AuthDir };
            var code = await LoginCommand.RunAsync(
                new LoginFlags(type, NoBrowser: true, Config: ConfigPath),
                env.GetValueOrDefault,
                output,
                error,
                input: null,
                handler,
                new ImmediateTimers(),
                _ => throw new InvalidOperationException("--no-browser must not open a browser"),
                cancel.Token);
            return new LoginRun(code, output.ToString(), error.ToString(), output.Browser);
        }

        private async Task HandleAsync(HttpContext context, RecordedRequest request)
        {
            var path = context.Request.Path.Value!;
            switch (path)
            {
                case "/claude/oauth/authorize" or "/codex/oauth/authorize" or "/gemini/o/oauth2/auth":
                    Authorize(context, path.Split('/')[1]);
                    return;
                case "/claude/oauth/token":
                {
                    var body = JsonNode.Parse(request.Body)!;
                    await TokenAsync(context, "claude", Str(body, "grant_type"), Str(body, "client_id"), Str(body, "code"), Str(body, "code_verifier"), Str(body, "redirect_uri"), Str(body, "state"),
                        """{"access_token":"tok-claude","refresh_token":"r-claude","expires_in":28800,"token_type":"Bearer","account":{"email_address":"alice@example.com","uuid":"u-1"},"organization":{"uuid":"o-1"}}""");
                    return;
                }

                case "/codex/oauth/token":
                {
                    var form = Form(request.Body);
                    var idToken = "eyJhbGciOiJub25lIn0." + Base64Url(Encoding.UTF8.GetBytes("""{"email":"carol@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acct-e2e","chatgpt_plan_type":"plus"}}""")) + ".sig";
                    await TokenAsync(context, "codex", form.GetValueOrDefault("grant_type"), form.GetValueOrDefault("client_id"), form.GetValueOrDefault("code"), form.GetValueOrDefault("code_verifier"), form.GetValueOrDefault("redirect_uri"), null,
                        $$"""{"access_token":"tok-codex","refresh_token":"r-codex","id_token":"{{idToken}}","expires_in":864000,"token_type":"Bearer"}""");
                    return;
                }

                case "/gemini/token":
                {
                    var form = Form(request.Body);
                    if (form.GetValueOrDefault("client_secret") != "gemini-e2e-secret")
                    {
                        await JsonAsync(context, """{"error":"invalid_client"}""", 401);
                        return;
                    }

                    await TokenAsync(context, "gemini", form.GetValueOrDefault("grant_type"), form.GetValueOrDefault("client_id"), form.GetValueOrDefault("code"), form.GetValueOrDefault("code_verifier"), form.GetValueOrDefault("redirect_uri"), null,
                        """{"access_token":"tok-gemini","refresh_token":"1//r-gemini","expires_in":3599,"token_type":"Bearer","scope":"https://www.googleapis.com/auth/cloud-platform"}""");
                    return;
                }

                case "/gemini/oauth2/v1/userinfo":
                    await BearerJsonAsync(context, "tok-gemini", """{"id":"1","email":"gina@example.com","verified_email":true}""");
                    return;
                case "/v1internal:loadCodeAssist":
                    await BearerJsonAsync(context, "tok-gemini", """{"allowedTiers":[{"id":"free-tier","isDefault":true,"userDefinedCloudaicompanionProject":false},{"id":"standard-tier"}]}""");
                    return;
                case "/v1internal:onboardUser":
                    await BearerJsonAsync(context, "tok-gemini", JsonNode.Parse(request.Body)?["tierId"]?.GetValue<string>() == "free-tier"
                        ? """{"name":"operations/1","done":true,"response":{"cloudaicompanionProject":{"id":"proj-e2e","name":"e2e"}}}"""
                        : """{"error":{"code":400,"message":"unknown tier"}}""");
                    return;
                case "/github/login/device/code":
                    await JsonAsync(context, Form(request.Body).GetValueOrDefault("client_id") == "copilot-e2e-client"
                        ? """{"device_code":"device-e2e","user_code":"ABCD-1234","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}"""
                        : """{"error":"incorrect_client_credentials"}""");
                    return;
                case "/github/login/oauth/access_token":
                {
                    var form = Form(request.Body);
                    if (form.GetValueOrDefault("device_code") != "device-e2e" || form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:device_code")
                    {
                        await JsonAsync(context, """{"error":"bad_verification_code"}""");
                        return;
                    }

                    // The user approves after the first poll.
                    await JsonAsync(context, Interlocked.Increment(ref _devicePolls) == 1
                        ? """{"error":"authorization_pending","error_description":"pending"}"""
                        : """{"access_token":"gho-e2e","token_type":"bearer","scope":"read:user"}""");
                    return;
                }

                case "/github/user":
                    await TokenHeaderJsonAsync(context, """{"login":"octocat","id":1}""");
                    return;
                case "/copilot_internal/v2/token":
                    await TokenHeaderJsonAsync(context, $$"""{"token":"tok-copilot","expires_at":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}},"refresh_in":1500}""");
                    return;
                case "/v1/messages":
                    await Scripts.AnthropicAsync(context, request);
                    return;
                case "/backend-api/codex/responses":
                    await Scripts.CodexAsync(context, request);
                    return;
                case "/v1internal:generateContent" or "/v1internal:streamGenerateContent":
                    await Scripts.CodeAssistAsync(context, request, path.EndsWith("streamGenerateContent", StringComparison.Ordinal));
                    return;
                case "/chat/completions":
                    await Scripts.OpenAIChatAsync(context, request);
                    return;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }
        }

        /// <summary>The provider's sign-in page, already signed in: redirects to the login's callback with a code.</summary>
        private void Authorize(HttpContext context, string type)
        {
            var q = context.Request.Query;
            var redirect = q["redirect_uri"].ToString();
            var state = q["state"].ToString();
            if (q["client_id"] != $"{type}-e2e-client" || q["response_type"] != "code" || q["code_challenge_method"] != "S256" || redirect.Length == 0 || state.Length == 0)
            {
                context.Response.Redirect($"{redirect}?error=invalid_request&state={Uri.EscapeDataString(state)}");
                return;
            }

            _authorized[type] = (q["code_challenge"].ToString(), redirect, state);
            context.Response.Redirect($"{redirect}?code={type}-code&state={Uri.EscapeDataString(state)}");
        }

        /// <summary>The code exchange: the code, client, redirect URI and PKCE verifier must match the authorize request.</summary>
        private Task TokenAsync(HttpContext context, string type, string? grant, string? clientId, string? code, string? verifier, string? redirectUri, string? state, string answer)
        {
            var ok = _authorized.TryGetValue(type, out var authorized)
                && grant == "authorization_code"
                && clientId == $"{type}-e2e-client"
                && code == $"{type}-code"
                && redirectUri == authorized.RedirectUri
                && verifier is not null && Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) == authorized.Challenge
                && (state is null || state == authorized.State);
            return ok
                ? JsonAsync(context, answer)
                : JsonAsync(context, """{"error":"invalid_grant","error_description":"code, client, redirect or verifier mismatch"}""", 400);
        }

        private static Task BearerJsonAsync(HttpContext context, string token, string body) =>
            context.Request.Headers.Authorization == $"Bearer {token}" ? JsonAsync(context, body) : JsonAsync(context, """{"error":"unauthenticated"}""", 401);

        private static Task TokenHeaderJsonAsync(HttpContext context, string body) =>
            context.Request.Headers.Authorization == "token gho-e2e" ? JsonAsync(context, body) : JsonAsync(context, """{"message":"Bad credentials"}""", 401);

        private static Task JsonAsync(HttpContext context, string body, int status = 200)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body);
        }

        private static Dictionary<string, string> Form(string body) =>
            body.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// Captures what the login prints and plays the browser: when the sign-in URL appears, it is opened with an HTTP
    /// client that follows the fake's redirect to the login's callback listener (as a browser would).
    /// </summary>
    internal sealed class BrowserPlayingWriter(CancellationToken ct) : StringWriter
    {
        public Task<string>? Browser { get; private set; }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            var url = value?.Trim();
            if (Browser is null && url is not null && url.StartsWith("http://", StringComparison.Ordinal) && url.Contains("state=", StringComparison.Ordinal))
            {
                Browser = Task.Run(() => OpenAsync(url), ct);
            }
        }

        private async Task<string> OpenAsync(string url)
        {
            using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
            using var response = await browser.GetAsync(new Uri(url), ct);
            var page = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode ? page : $"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {page}";
        }
    }

    /// <summary>Refuses every non-loopback host, so nothing leaves the machine.</summary>
    internal sealed class LoopbackOnly() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.IsLoopback
                ? base.SendAsync(request, cancellationToken)
                : throw new InvalidOperationException($"unexpected request to {request.RequestUri.Host}");
    }

    /// <summary>Fires every timer at once, so the device flow's polling interval costs no time.</summary>
    internal sealed class ImmediateTimers : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }

    /// <summary>
    /// Real-shaped upstream answers in each provider's native format: a <c>get_weather</c> tool call on the first turn,
    /// text once the request carries the tool result. Streams go out event by event.
    /// </summary>
    private static class Scripts
    {
        private static bool SecondTurn(RecordedRequest request) => request.Body.Contains(ToolResult, StringComparison.Ordinal);

        private static bool Streaming(RecordedRequest request) => JsonNode.Parse(request.Body)?["stream"]?.GetValue<bool>() ?? false;

        public static Task AnthropicAsync(HttpContext context, RecordedRequest request) => (SecondTurn(request), Streaming(request)) switch
        {
            (false, false) => Json(context, """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":5}}"""),
            (true, false) => Json(context, """{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"It is sunny in Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":6}}"""),
            (false, true) => Sse(context, named: true,
            [
                """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}""",
                """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}""",
                """{"type":"ping"}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}""",
                """{"type":"content_block_stop","index":0}""",
                """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":5}}""",
                """{"type":"message_stop"}""",
            ]),
            (true, true) => Sse(context, named: true,
            [
                """{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":1}}}""",
                """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"It is sunny"}}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" in Paris."}}""",
                """{"type":"content_block_stop","index":0}""",
                """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}""",
                """{"type":"message_stop"}""",
            ]),
        };

        /// <summary>The ChatGPT Codex backend always streams Responses events.</summary>
        public static Task CodexAsync(HttpContext context, RecordedRequest request) => SecondTurn(request)
            ? Sse(context, named: true,
            [
                """{"type":"response.created","sequence_number":0,"response":{"id":"resp_2","object":"response","created_at":1,"status":"in_progress","model":"gpt-5-codex","output":[]}}""",
                """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_2","type":"message","status":"in_progress","role":"assistant","content":[]}}""",
                """{"type":"response.content_part.added","sequence_number":2,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}""",
                """{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"It is sunny"}""",
                """{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_2","output_index":0,"content_index":0,"delta":" in Paris."}""",
                """{"type":"response.output_text.done","sequence_number":5,"item_id":"msg_2","output_index":0,"content_index":0,"text":"It is sunny in Paris."}""",
                """{"type":"response.content_part.done","sequence_number":6,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"It is sunny in Paris.","annotations":[]}}""",
                """{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"It is sunny in Paris.","annotations":[]}]}}""",
                """{"type":"response.completed","sequence_number":8,"response":{"id":"resp_2","object":"response","created_at":1,"status":"completed","model":"gpt-5-codex","output":[{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"It is sunny in Paris.","annotations":[]}]}],"usage":{"input_tokens":20,"output_tokens":6,"total_tokens":26}}}""",
            ])
            : Sse(context, named: true,
            [
                """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5-codex","output":[]}}""",
                """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"fc_1","type":"function_call","status":"in_progress","arguments":"","call_id":"call_1","name":"get_weather"}}""",
                """{"type":"response.function_call_arguments.delta","sequence_number":2,"item_id":"fc_1","output_index":0,"delta":"{\"city\":"}""",
                """{"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_1","output_index":0,"delta":"\"Paris\"}"}""",
                """{"type":"response.function_call_arguments.done","sequence_number":4,"item_id":"fc_1","output_index":0,"arguments":"{\"city\":\"Paris\"}"}""",
                """{"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_1","name":"get_weather"}}""",
                """{"type":"response.completed","sequence_number":6,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5-codex","output":[{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_1","name":"get_weather"}],"usage":{"input_tokens":10,"output_tokens":5,"total_tokens":15}}}""",
            ]);

        /// <summary>Code Assist wraps each Gemini response (or stream chunk) in <c>{"response": …}</c>.</summary>
        public static Task CodeAssistAsync(HttpContext context, RecordedRequest request, bool stream)
        {
            const string toolCall = """{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"gemini-2.5-pro","responseId":"r1"}""";
            const string text = """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"gemini-2.5-pro","responseId":"r2"}""";
            string[] textChunks =
            [
                """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny"}]},"index":0}],"usageMetadata":{"promptTokenCount":20,"totalTokenCount":20},"modelVersion":"gemini-2.5-pro","responseId":"r2"}""",
                """{"candidates":[{"content":{"role":"model","parts":[{"text":" in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":6,"totalTokenCount":26},"modelVersion":"gemini-2.5-pro","responseId":"r2"}""",
            ];
            if (!stream)
            {
                return Json(context, $$"""{"response":{{(SecondTurn(request) ? text : toolCall)}}}""");
            }

            return Sse(context, named: false, [.. (SecondTurn(request) ? textChunks : [toolCall]).Select(c => $$"""{"response":{{c}}}""")]);
        }

        public static Task OpenAIChatAsync(HttpContext context, RecordedRequest request) => (SecondTurn(request), Streaming(request)) switch
        {
            (false, false) => Json(context, """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"""),
            (true, false) => Json(context, """{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"It is sunny in Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":6,"total_tokens":26}}"""),
            (false, true) => Sse(context, named: false,
            [
                """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""",
                """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}""",
                """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}""",
                """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
                """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""",
                "[DONE]",
            ]),
            (true, true) => Sse(context, named: false,
            [
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"It is sunny"},"finish_reason":null}]}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" in Paris."},"finish_reason":null}]}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":6,"total_tokens":26}}""",
                "[DONE]",
            ]),
        };

        private static Task Json(HttpContext context, string body)
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body);
        }

        private static async Task Sse(HttpContext context, bool named, string[] events)
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var data in events)
            {
                var name = named ? $"event: {JsonNode.Parse(data)!["type"]}\n" : "";
                await context.Response.WriteAsync($"{name}data: {data}\n\n");
                await context.Response.Body.FlushAsync();
            }
        }
    }
}
