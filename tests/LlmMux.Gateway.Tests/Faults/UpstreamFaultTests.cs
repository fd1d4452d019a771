using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// An account is cooled only for what the account did: odd client headers, a 403 about one model, or failures a
/// request provokes everywhere do not take a provider out.
/// </summary>
public sealed class UpstreamFaultTests
{
    private const string Ok = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, int keys = 2, string extra = "") => GatewayFixture.StartAsync($"""
        providers:
          - name: up
            type: openai
            base-url: {upstream.BaseUrl}/v1
            api-keys: [{string.Join(", ", Enumerable.Range(1, keys).Select(i => $"key-{i}"))}]
            strategy: fill-first
            models: [m, x]
        {extra}
        routing:
          max-attempts: 4
          max-cooldown-wait: 0s
        """);

    private static HttpRequestMessage Chat(string model = "m", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static List<AccountStatus> States(GatewayFixture gateway)
        => gateway.Store.Current.Providers[0].Accounts.Select(a => gateway.GetService<AccountStateStore>().Status(a.DestinationId)).ToList();

    private static async Task OkAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Ok);
    }

    [Fact]
    public async Task A_non_ascii_client_header_reaches_the_upstream_and_cools_nothing()
    {
        await using var upstream = await FakeUpstream.StartAsync(OkAsync);
        await using var gateway = await StartAsync(upstream);

        // A client that sends its User-Agent as UTF-8, as Kestrel accepts it (the default HttpClient would refuse to).
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = gateway.Client.BaseAddress };
        var response = await utf8.SendAsync(Chat(headers: ("User-Agent", "café-client/1.0")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("-client/1.0", Assert.Single(upstream.Requests).Headers["User-Agent"], StringComparison.Ordinal);
        Assert.All(States(gateway), s => Assert.Equal(AccountCondition.Ready, s.State));
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat())).StatusCode);
    }

    [Fact]
    public async Task An_oversized_header_is_refused_by_the_server_and_the_gateway_keeps_serving()
    {
        await using var upstream = await FakeUpstream.StartAsync(OkAsync);
        await using var gateway = await StartAsync(upstream);

        var response = await gateway.Client.SendAsync(Chat(headers: ("anthropic-beta", new string('b', 64 * 1024))));

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Empty(upstream.Requests);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat())).StatusCode);
    }

    [Fact]
    public async Task A_403_about_one_model_rests_that_model_only()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, recorded) =>
        {
            if (recorded.Body.Contains("\"x\"", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":{"message":"You are not allowed to sample from this model","type":"invalid_request_error"}}""");
                return;
            }

            await OkAsync(context);
        });
        await using var gateway = await StartAsync(upstream);

        var denied = await gateway.Client.SendAsync(Chat("up/x"));
        Assert.Equal(HttpStatusCode.BadGateway, denied.StatusCode);

        // Both keys were tried for x, and each keeps serving m.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat("m"))).StatusCode);
        }

        Assert.All(States(gateway), s =>
        {
            Assert.Equal(AccountCondition.Ready, s.State);
            Assert.True(s.ModelCooldowns.ContainsKey("x"));
        });
    }

    [Fact]
    public async Task A_403_that_says_the_key_is_invalid_rests_the_account()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, recorded) =>
        {
            if (recorded.Headers["Authorization"] == "Bearer key-1")
            {
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":{"message":"Your API key has been disabled.","code":"invalid_api_key"}}""");
                return;
            }

            await OkAsync(context);
        });
        await using var gateway = await StartAsync(upstream);

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat())).StatusCode);

        var states = States(gateway);
        Assert.Equal(AccountCondition.KeyRejected, states[0].State);
        Assert.Equal(AccountCondition.Ready, states[1].State);
    }

    [Fact]
    public async Task A_request_that_makes_every_account_fail_cools_at_most_two_of_them()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync("""{"error":{"message":"internal error"}}""");
        });
        await using var gateway = await StartAsync(upstream, keys: 4);

        var response = await gateway.Client.SendAsync(Chat());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(4, upstream.Requests.Count);
        var cooling = States(gateway).Count(s => s.State == AccountCondition.CoolingDown);
        Assert.Equal(2, cooling);
    }

    [Fact]
    public async Task Upstream_headers_reach_the_client_only_through_the_allow_list()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.Headers["Set-Cookie"] = "__cf_bm=secret; path=/";
            context.Response.Headers["openai-organization"] = "org-private";
            context.Response.Headers["x-codex-plan-type"] = "pro";
            context.Response.Headers["alt-svc"] = "h3=\":443\"";
            context.Response.Headers["x-request-id"] = "req_123";
            context.Response.Headers["x-ratelimit-remaining-requests"] = "41";
            await OkAsync(context);
        });

        await using (var gateway = await StartAsync(upstream))
        {
            var response = await gateway.Client.SendAsync(Chat());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var names = response.Headers.Concat(response.Content.Headers).Select(h => h.Key.ToLowerInvariant()).ToList();
            Assert.DoesNotContain("set-cookie", names);
            Assert.DoesNotContain("openai-organization", names);
            Assert.DoesNotContain("x-codex-plan-type", names);
            Assert.DoesNotContain("alt-svc", names);
            Assert.DoesNotContain("x-ratelimit-remaining-requests", names);
            Assert.Equal("req_123", response.Headers.GetValues("x-request-id").Single());
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(Ok, await response.Content.ReadAsStringAsync());
        }

        await using var forwarding = await GatewayFixture.StartAsync($"""
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}/v1
                api-keys: [key-1]
                forward-rate-limit-headers: true
                models: [m]
            """);
        var withLimits = await forwarding.Client.SendAsync(Chat());
        Assert.Equal("41", withLimits.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.False(withLimits.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_model_name_from_the_client_is_bounded_and_checked_in_every_dialect()
    {
        await using var upstream = await FakeUpstream.StartAsync(OkAsync);
        await using var gateway = await StartAsync(upstream);
        var huge = "up/" + new string('A', 20_000);

        var openai = await gateway.Client.SendAsync(Chat(huge));
        Assert.Equal(HttpStatusCode.BadRequest, openai.StatusCode);
        Assert.Equal("invalid_model", JsonNode.Parse(await openai.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());

        var anthropic = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("{\"model\":\"m\\u0007\",\"max_tokens\":5,\"messages\":[]}", Encoding.UTF8, "application/json"),
        };
        var anthropicAnswer = await gateway.Client.SendAsync(anthropic);
        Assert.Equal(HttpStatusCode.BadRequest, anthropicAnswer.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await anthropicAnswer.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());

        var gemini = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1beta/models/{new string('g', 300)}:generateContent")
        {
            Content = new StringContent("""{"contents":[]}""", Encoding.UTF8, "application/json"),
        });
        Assert.Equal(HttpStatusCode.BadRequest, gemini.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", JsonNode.Parse(await gemini.Content.ReadAsStringAsync())!["error"]!["status"]!.GetValue<string>());

        Assert.Empty(upstream.Requests);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat())).StatusCode);
    }

    [Fact]
    public async Task Duplicate_top_level_keys_are_refused_so_routing_and_upstream_never_disagree()
    {
        await using var upstream = await FakeUpstream.StartAsync(OkAsync);
        await using var gateway = await StartAsync(upstream);

        foreach (var body in new[] { """{"model":"m","model":"x","messages":[]}""", """{"model":"m","messages":[],"mod\u0065l":"x"}""", """{"stream":false,"messages":[],"stream":true,"model":"m"}""" })
        {
            var response = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("appears twice", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_403_that_quotes_a_client_chosen_model_name_never_rests_the_accounts()
    {
        // The client names the model; a message that quotes it must not read as a verdict on the key.
        await using var upstream = await FakeUpstream.StartAsync(async (context, recorded) =>
        {
            if (recorded.Body.Contains("invalid api key", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":{"message":"Project does not have access to model invalid api key"}}""");
                return;
            }

            await OkAsync(context);
        });
        await using var gateway = await StartAsync(upstream, keys: 4);

        Assert.Equal(HttpStatusCode.BadGateway, (await gateway.Client.SendAsync(Chat("up/invalid api key"))).StatusCode);

        Assert.All(States(gateway), s => Assert.Equal(AccountCondition.Ready, s.State));
        Assert.Equal(2, States(gateway).Count(s => s.ModelCooldowns.ContainsKey("invalid api key")));
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(Chat())).StatusCode);
    }

    [Fact]
    public async Task A_403_that_names_the_credential_counts_against_the_requests_cooldown_budget()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"error":{"message":"Your API key has been disabled."}}""");
        });
        await using var gateway = await StartAsync(upstream, keys: 4);

        Assert.Equal(HttpStatusCode.BadGateway, (await gateway.Client.SendAsync(Chat())).StatusCode);

        Assert.Equal(4, upstream.Requests.Count);
        Assert.Equal(2, States(gateway).Count(s => s.State == AccountCondition.KeyRejected));
    }
}
