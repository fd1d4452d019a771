using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Gateway.Tests.Providers.Antigravity;

/// <summary>
/// Antigravity and the retired Gemini individuals through the gateway: a quota hit on one model rests the family on
/// that account for as long as Google says (a week), a 200 page refusing the client is an error that cools nothing,
/// and a Code Assist account Google retired is marked so and left alone while a licensed one serves.
/// </summary>
public sealed class AntigravityGatewayTests : IAsyncLifetime
{
    private const string WeekLong429 = """{"error":{"code":429,"message":"You have exhausted your capacity on this model. Your quota will reset after 167h59m3s.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"QUOTA_EXHAUSTED","domain":"cloudcode-pa.googleapis.com","metadata":{"model":"claude-sonnet-4-5","quotaResetDelay":"167h59m3s"}}]}}""";
    private const string Retired403 = """{"error":{"code":403,"message":"This client is no longer supported for Gemini Code Assist for individuals. To continue using Gemini, please migrate to the Antigravity suite of products: https://antigravity.google","status":"PERMISSION_DENIED"}}""";
    private const string Text = """{"candidates":[{"content":{"role":"model","parts":[{"text":"It is sunny in Paris."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":6,"totalTokenCount":15}}""";

    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private FakeUpstream _upstream = null!;
    private string _dir = "";
    private Func<HttpContext, JsonNode, Task<bool>>? _script;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(HandleAsync);
        _dir = Directory.CreateTempSubdirectory("llm-mux-antigravity-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "auth"));
        var future = _time.GetUtcNow().AddHours(1).ToString("O");
        await Write("antigravity-a@example.com.json", $$"""{"type":"antigravity","email":"a@example.com","project_id":"proj-a","access_token":"tok-a","refresh_token":"r-a","expired":"{{future}}"}""");
        await Write("antigravity-b@example.com.json", $$"""{"type":"antigravity","email":"b@example.com","project_id":"proj-b","access_token":"tok-b","refresh_token":"r-b","expired":"{{future}}"}""");
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task Write(string name, string json) => File.WriteAllTextAsync(Path.Combine(_dir, "auth", name), json);

    private string Config(bool antigravity) => $$"""
        management: { secret-key: "mgmt-secret" }
        providers:
          - { name: ag, type: antigravity, strategy: fill-first, base-url: "{{_upstream.BaseUrl}}", oauth: { token-url: "{{_upstream.BaseUrl}}/token" }{{(antigravity ? "" : ", models: [none-here]")}} }
          - { name: ca, type: gemini, strategy: fill-first, base-url: "{{_upstream.BaseUrl}}/ca", oauth: { token-url: "{{_upstream.BaseUrl}}/token" }, models: [gemini-2.5-pro] }
        """;

    private Task<GatewayFixture> StartAsync(bool antigravity = true) =>
        GatewayFixture.StartAsync(Config(antigravity), builder => builder.Services.AddSingleton<TimeProvider>(_time), _dir);

    [Fact]
    public async Task A_week_long_quota_hit_rests_the_family_on_that_account_for_the_week_while_others_serve()
    {
        var claudeHits = 0;
        _script = async (context, body) =>
        {
            var model = body["model"]!.GetValue<string>();
            if (context.Request.Headers.Authorization == "Bearer tok-a" && model.StartsWith("claude-", StringComparison.Ordinal) && Interlocked.Increment(ref claudeHits) == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(WeekLong429);
                return true;
            }

            return false;
        };
        await using var gateway = await StartAsync();
        gateway.DeleteDirOnDispose = false;

        // A answers 429 for a week; B serves.
        var hitAt = _time.GetUtcNow();
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "claude-sonnet-4-5"));
        Assert.Equal(["tok-a", "tok-b"], Bearers("claude-sonnet-4-5"));

        // Another Claude model: the family rests on A, so only B is asked.
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "claude-opus-4-5-thinking"));
        Assert.Equal(["tok-b"], Bearers("claude-opus-4-5-thinking"));

        // Gemini is another quota: A (first in fill-first order) serves it, once its last minute (when it hit the 429) is past.
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "gemini-3-flash"));
        Assert.Equal(["tok-a"], Bearers("gemini-3-flash"));

        var states = gateway.GetService<AccountStateStore>();
        var a = states.KnownAccounts().Single(id => id.Contains("antigravity-a", StringComparison.Ordinal));
        Assert.Equal(hitAt.AddHours(167).AddMinutes(59).AddSeconds(3), states.Status(a).ModelCooldowns["claude-*"], TimeSpan.FromSeconds(2));

        // Six days later Claude still rests on A.
        _time.Advance(TimeSpan.FromDays(6));
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "claude-sonnet-4-5", stream: true));
        Assert.Equal(["tok-a", "tok-b", "tok-b"], Bearers("claude-sonnet-4-5"));

        // After the reset A serves Claude again (its token was refreshed on the way).
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5));
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "claude-sonnet-4-5"));
        Assert.Equal("tok-a", Bearers("claude-sonnet-4-5")[^1]);
    }

    [Fact]
    public async Task A_200_page_refusing_the_client_version_is_an_error_and_cools_no_account()
    {
        _script = async (context, _) =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("This version of Antigravity is no longer supported. Please update to receive the latest features!");
            return true;
        };
        await using var gateway = await StartAsync();
        gateway.DeleteDirOnDispose = false;

        var response = await SendAsync(gateway, "gemini-3-flash", stream: false);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("upstream_client_refused", error["code"]?.GetValue<string>() ?? error["type"]!.GetValue<string>());
        Assert.Contains("no longer supported", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        // The provider's accounts all present the same client: one was asked, and none was cooled.
        Assert.Single(Bearers("gemini-3-flash"));
        var states = gateway.GetService<AccountStateStore>();
        Assert.All(states.KnownAccounts(), id => Assert.Equal(AccountCondition.Ready, states.Status(id).State));
        Assert.All(states.KnownAccounts(), id => Assert.Empty(states.Status(id).ModelCooldowns));
    }

    [Fact]
    public async Task A_retired_individual_gemini_account_is_marked_and_left_alone_while_a_licensed_one_serves()
    {
        var future = _time.GetUtcNow().AddHours(1).ToString("O");
        await Write("gemini-free@example.com.json", $$"""{"type":"gemini","email":"free@example.com","project_id":"p-free","token":{"access_token":"tok-free","refresh_token":"r-free","expiry":"{{future}}","token_type":"Bearer"} }""");
        await Write("gemini-paid@example.com.json", $$"""{"type":"gemini","email":"paid@example.com","project_id":"p-paid","token":{"access_token":"tok-paid","refresh_token":"r-paid","expiry":"{{future}}","token_type":"Bearer"} }""");
        _script = async (context, _) =>
        {
            if (context.Request.Headers.Authorization != "Bearer tok-free")
            {
                return false;
            }

            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Retired403);
            return true;
        };
        await using var gateway = await StartAsync(antigravity: false);
        gateway.DeleteDirOnDispose = false;

        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "gemini-2.5-pro"));
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "gemini-2.5-pro"));
        Assert.Equal("It is sunny in Paris.", await ChatAsync(gateway, "gemini-2.5-pro", stream: true));

        // Asked once, never again; the licensed account served all three.
        Assert.Equal(["tok-free", "tok-paid", "tok-paid", "tok-paid"], Bearers("gemini-2.5-pro"));
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "auth", "gemini-free@example.com.json")))!;
        Assert.Equal("retired", file["llm_mux_state"]!.GetValue<string>());
        Assert.Contains("llm-mux login antigravity", file["llm_mux_state_reason"]!.GetValue<string>(), StringComparison.Ordinal);
        // The management API lists it as retired, with the reason (it serves nowhere now).
        using var list = new HttpRequestMessage(HttpMethod.Get, "/v0/management/accounts");
        list.Headers.Add("X-Management-Key", "mgmt-secret");
        var rows = JsonNode.Parse(await (await gateway.Client.SendAsync(list)).Content.ReadAsStringAsync())!.AsArray();
        var row = rows.Single(r => r!["id"]!.GetValue<string>() == "gemini-free@example.com")!;
        Assert.Equal("retired", row["state"]!.GetValue<string>());
        Assert.Contains("llm-mux login antigravity", row["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "auth", "gemini-paid@example.com.json")))!["llm_mux_state"]);
    }

    [Fact]
    public async Task When_every_account_is_retired_the_client_is_told_to_use_antigravity()
    {
        var future = _time.GetUtcNow().AddHours(1).ToString("O");
        await Write("gemini-free@example.com.json", $$"""{"type":"gemini","email":"free@example.com","project_id":"p-free","token":{"access_token":"tok-free","refresh_token":"r-free","expiry":"{{future}}","token_type":"Bearer"} }""");
        _script = async (context, _) =>
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Retired403);
            return true;
        };
        await using var gateway = await StartAsync(antigravity: false);
        gateway.DeleteDirOnDispose = false;

        var response = await SendAsync(gateway, "gemini-2.5-pro", stream: false);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("llm-mux login antigravity", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private List<string> Bearers(string model) =>
        _upstream.Requests.Where(r => r.PathAndQuery.Contains("v1internal:", StringComparison.Ordinal) && JsonNode.Parse(r.Body)?["model"]?.GetValue<string>() == model)
            .Select(r => r.Headers["Authorization"]["Bearer ".Length..]).ToList();

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var path = context.Request.Path.Value!;
        if (path == "/token")
        {
            var refresh = request.Body.Contains("r-a", StringComparison.Ordinal) ? "tok-a" : request.Body.Contains("r-b", StringComparison.Ordinal) ? "tok-b" : "tok-other";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"access_token":"{{refresh}}","expires_in":3599,"token_type":"Bearer"}""");
            return;
        }

        if (!path.EndsWith("/v1internal:generateContent", StringComparison.Ordinal) && !path.EndsWith("/v1internal:streamGenerateContent", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var body = JsonNode.Parse(request.Body)!;
        if (_script is { } script && await script(context, body))
        {
            return;
        }

        context.Response.ContentType = path.EndsWith(":streamGenerateContent", StringComparison.Ordinal) ? "text/event-stream" : "application/json";
        await context.Response.WriteAsync(context.Response.ContentType == "text/event-stream" ? $"data: {{\"response\":{Text}}}\n\n" : $$"""{"response":{{Text}}}""");
    }

    private static async Task<HttpResponseMessage> SendAsync(GatewayFixture gateway, string model, bool stream) =>
        await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Weather in Paris?"}]}""", Encoding.UTF8, "application/json"),
        });

    private static async Task<string> ChatAsync(GatewayFixture gateway, string model, bool stream = false)
    {
        var response = await SendAsync(gateway, model, stream);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return stream
            ? string.Concat(body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonNode.Parse(l[6..])!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()))
            : JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
