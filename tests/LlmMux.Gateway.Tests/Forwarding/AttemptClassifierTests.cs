using System.Net;
using System.Net.Http;
using System.Text;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Routing;
using LlmMux.Gateway.Streaming;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace LlmMux.Gateway.Tests.Forwarding;

/// <summary>Every kind of <see cref="AttemptResult"/>, from the upstream's answer, YARP's forwarder error, the stream and exceptions.</summary>
public sealed class AttemptClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly GatewaySnapshot Snapshot = new(ConfigLoader.Parse("""
        providers:
          - name: keyed
            type: openai
            api-keys: [sk-one]
            models: [gpt-x]
          - name: login
            type: claude
            models: [claude-x]
          - name: ag
            type: antigravity
            models: [gemini-3-flash]
          - name: ca
            type: gemini
            models: [gemini-2.5-pro]
        """, "t.yaml"), 1,
        [
            new Account("claude-a", "claude", "a@example.com", null, false, null, AccountState.Ready),
            new Account("antigravity-a", "antigravity", "a@example.com", null, false, null, AccountState.Ready),
            new Account("gemini-a", "gemini", "a@example.com", null, false, null, AccountState.Ready),
        ]);

    private sealed record Failure(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;

    public static TheoryData<int, string, string?, string> Answers => new()
    {
        { 200, "{}", null, "Succeeded" },
        { 204, "", null, "Succeeded" },
        { 302, "", null, "ClientError" },
        { 400, """{"error":{"message":"bad"}}""", null, "ClientError" },
        { 404, "", null, "ClientError" },
        { 413, "", null, "ClientError" },
        { 422, "", null, "ClientError" },
        { 429, """{"error":{"message":"quota"}}""", "60", "RateLimited" },
        { 429, """{"error":{"message":"quota"}}""", null, "RateLimited" },
        { 401, """{"error":{"message":"bad key"}}""", null, "CredentialRejected" },
        { 403, """{"error":{"message":"Invalid API key provided"}}""", null, "CredentialRejected" },
        { 403, """{"error":{"message":"Your organisation may not use this model"}}""", null, "ModelDenied" },
        { 408, "", null, "UpstreamFailed" },
        { 500, "oops", null, "UpstreamFailed" },
        { 502, "", null, "UpstreamFailed" },
        { 503, "", null, "UpstreamFailed" },
        { 529, """{"error":{"message":"overloaded"}}""", null, "UpstreamFailed" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task An_answer_is_read_from_its_status_once(int status, string body, string? retryAfter, string kind)
    {
        var result = await ClassifyAsync(Attempt("keyed"), status, body, retryAfter);

        Assert.Equal(kind, result.GetType().Name);
        Assert.Equal(AttemptClassifier.AllowsFailover(status), result is AttemptResult.Failure);
        Assert.Equal(result is AttemptResult.UpstreamAnswer ? $"http_{status}" : "ok", result.Outcome);
    }

    [Theory]
    [InlineData("ag", "text/plain; charset=utf-8", "This version of Antigravity is no longer supported. Please update to receive the latest features!", "ClientRefused")]
    [InlineData("ag", "text/html", "<html>maintenance</html>", "Succeeded")]
    [InlineData("ag", "text/event-stream", "data: no longer supported", "Succeeded")]
    [InlineData("ag", "application/json", "{\"response\":{\"text\":\"no longer supported\"}}", "Succeeded")]
    [InlineData("keyed", "text/plain", "This version is no longer supported", "Succeeded")]
    public async Task Only_antigravity_reads_a_2xx_page_for_a_refused_client(string provider, string contentType, string body, string kind)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) };
        response.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var result = await AttemptClassifier.ClassifyAnswerAsync(response, Attempt(provider), Now, CancellationToken.None);

        Assert.Equal(kind, result.GetType().Name);
        Assert.Equal(body, await response.Content.ReadAsStringAsync()); // a page that is not a refusal is still there for the client
    }

    [Theory]
    [InlineData("ca", 403, "AccountRetired")]
    [InlineData("ca", 400, "AccountRetired")]
    [InlineData("ag", 403, "ModelDenied")]
    [InlineData("keyed", 400, "ClientError")]
    public async Task Only_code_assist_reads_the_individuals_retirement(string provider, int status, string kind)
    {
        const string retired = """{"error":{"code":403,"message":"This client is no longer supported for Gemini Code Assist for individuals. To continue using Gemini, please migrate to the Antigravity suite of products: https://antigravity.google","status":"PERMISSION_DENIED"}}""";

        var result = await ClassifyAsync(Attempt(provider), status, retired, null);

        Assert.Equal(kind, result.GetType().Name);
        if (result is AttemptResult.AccountRetired marked)
        {
            Assert.Contains("llm-mux login antigravity", marked.Reason, StringComparison.Ordinal);
            Assert.Contains("llm-mux login antigravity", marked.FinalError("gemini-2.5-pro", "ca").Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_rate_limit_carries_its_reset_and_the_upstreams_message()
    {
        var limited = Assert.IsType<AttemptResult.RateLimited>(await ClassifyAsync(Attempt("keyed"), 429, """{"error":{"message":"quota"}}""", "60"));
        Assert.Equal(Now.AddSeconds(60), limited.Until);
        Assert.Equal("quota", limited.Detail);

        var unknown = Assert.IsType<AttemptResult.RateLimited>(await ClassifyAsync(Attempt("keyed"), 429, "{}", null));
        Assert.Null(unknown.Until);
    }

    [Fact]
    public async Task A_401_is_certain_and_on_a_login_account_only_a_stale_token()
    {
        var key = Assert.IsType<AttemptResult.CredentialRejected>(await ClassifyAsync(Attempt("keyed"), 401, "{}", null));
        Assert.True(key.Certain);
        Assert.False(key.StaleLoginToken);

        var login = Assert.IsType<AttemptResult.CredentialRejected>(await ClassifyAsync(Attempt("login"), 401, "{}", null));
        Assert.True(login.StaleLoginToken);

        var forbidden = Assert.IsType<AttemptResult.CredentialRejected>(await ClassifyAsync(Attempt("login"), 403, """{"error":"invalid api key"}""", null));
        Assert.False(forbidden.Certain);
        Assert.False(forbidden.StaleLoginToken);
    }

    [Fact]
    public async Task A_403_that_only_quotes_the_clients_model_name_denies_the_model()
    {
        var attempt = Attempt("keyed", model: "invalid api key");

        var result = await ClassifyAsync(attempt, 403, """{"error":{"message":"model 'invalid api key' is not allowed"}}""", null);

        Assert.IsType<AttemptResult.ModelDenied>(result);
    }

    [Theory]
    [InlineData(ForwarderError.RequestTimedOut, false, true)]
    [InlineData(ForwarderError.ResponseBodyDestination, false, true)]
    [InlineData(ForwarderError.RequestTimedOut, true, false)]
    [InlineData(ForwarderError.ResponseBodyClient, false, false)]
    [InlineData(ForwarderError.RequestCreation, false, false)]
    public void A_forwarder_error_is_a_transport_failure_blamed_on_the_upstream_only_when_it_is_its(ForwarderError error, bool clientGone, bool blamed)
    {
        var (context, attempt) = Settled(Attempt("keyed"), clientGone);
        context.Features.Set<IForwarderErrorFeature>(new Failure(error, new IOException("x")));

        var transport = Assert.IsType<AttemptResult.Transport>(AttemptClassifier.Settle(context, attempt));

        Assert.Equal(blamed, transport.BlamesUpstream);
        Assert.Equal(error.ToString(), transport.Outcome);
    }

    [Fact]
    public void A_request_the_transform_could_not_build_is_the_clients_fault_not_a_transport_failure()
    {
        var (context, attempt) = Settled(Attempt("keyed"), clientGone: false);
        var error = ApiError.InvalidRequestBody("token-id inputs cannot be sent as Gemini content");
        context.Features.Set<IForwarderErrorFeature>(new Failure(ForwarderError.RequestCreation, new UpstreamRequestException(error, new InvalidOperationException("x"))));

        Assert.Equal(new AttemptResult.RequestInvalid(error), AttemptClassifier.Settle(context, attempt));
    }

    [Theory]
    [InlineData("Stalled", false, "StreamFailed")]
    [InlineData("Broken", false, "StreamFailed")]
    [InlineData("Broken", true, "StreamFailed")]
    [InlineData("EventTooLarge", false, "Succeeded")]
    [InlineData("None", false, "Succeeded")]
    public void A_stream_that_stalled_or_broke_after_the_first_byte_is_a_stream_failure(string fault, bool clientGone, string kind)
    {
        var (context, attempt) = Settled(Attempt("keyed"), clientGone);
        attempt.Answer = AttemptResult.Succeeded.Instance;
        attempt.StreamState = new UpstreamStreamState(TimeSpan.FromSeconds(1)) { Fault = Enum.Parse<UpstreamStreamFault>(fault) };

        var result = AttemptClassifier.Settle(context, attempt);

        Assert.Equal(kind, result.GetType().Name);
        Assert.Equal(!clientGone, (result as AttemptResult.StreamFailed)?.BlamesUpstream ?? !clientGone);
        Assert.Equal("ok", result.Outcome);
    }

    [Fact]
    public void A_success_the_gateway_answered_with_an_error_is_unusable_and_a_relayed_client_error_stays_one()
    {
        var (context, attempt) = Settled(Attempt("keyed"), clientGone: false);
        attempt.Answer = AttemptResult.Succeeded.Instance;
        context.Response.StatusCode = 502;
        Assert.Equal(new AttemptResult.Unusable(502), AttemptClassifier.Settle(context, attempt));

        (context, attempt) = Settled(Attempt("keyed"), clientGone: false);
        attempt.Answer = new AttemptResult.ClientError(404);
        context.Response.StatusCode = 404;
        Assert.Equal(new AttemptResult.ClientError(404), AttemptClassifier.Settle(context, attempt));
    }

    [Fact]
    public async Task A_failed_answer_wins_over_a_forwarder_error_and_the_result_is_settled_once()
    {
        var (context, attempt) = Settled(Attempt("keyed"), clientGone: false);
        attempt.Answer = await ClassifyAsync(attempt, 503, "", null);
        context.Features.Set<IForwarderErrorFeature>(new Failure(ForwarderError.ResponseBodyDestination, new IOException("x")));

        var first = AttemptClassifier.Settle(context, attempt);
        context.Features.Set<IForwarderErrorFeature>(null);

        Assert.IsType<AttemptResult.UpstreamFailed>(first);
        Assert.Same(first, AttemptClassifier.Settle(context, attempt));
    }

    [Fact]
    public void Exceptions_of_the_request_transform_are_a_login_unavailable_or_an_invalid_request()
    {
        var login = Assert.IsType<AttemptResult.LoginUnavailable>(AttemptClassifier.FromException(
            new AccountUnavailableException("claude-a", AccountUnavailableReason.RefreshFailed, "down")));
        Assert.Equal("login_unavailable", login.Outcome);

        var invalid = Assert.IsType<AttemptResult.RequestInvalid>(AttemptClassifier.FromException(
            new UpstreamRequestException(ApiError.InvalidRequestBody("no"), new FormatException())));
        Assert.Equal("request_invalid", invalid.Outcome);
        Assert.Equal(400, invalid.Error.Status);

        Assert.Null(AttemptClassifier.FromException(new InvalidOperationException()));
    }

    private static readonly Dictionary<string, AttemptResult.Failure> Failures = new()
    {
        ["429"] = new AttemptResult.RateLimited("quota", null),
        ["401"] = new AttemptResult.CredentialRejected(401, "", Certain: true, StaleLoginToken: false),
        ["403 credential"] = new AttemptResult.CredentialRejected(403, "", Certain: false, StaleLoginToken: false),
        ["403 model"] = new AttemptResult.ModelDenied(""),
        ["500"] = new AttemptResult.UpstreamFailed(500, ""),
        ["timeout"] = new AttemptResult.Transport(new Failure(ForwarderError.RequestTimedOut, null), true),
        ["unreachable"] = new AttemptResult.Transport(new Failure(ForwarderError.Request, null), true),
    };

    [Theory]
    [InlineData("429", 429, "rate_limited")]
    [InlineData("401", 502, "upstream_auth_failed")]
    [InlineData("403 credential", 502, "upstream_auth_failed")]
    [InlineData("403 model", 502, "upstream_auth_failed")]
    [InlineData("500", 502, "upstream_error")]
    [InlineData("timeout", 504, "upstream_timeout")]
    [InlineData("unreachable", 502, "upstream_unreachable")]
    public void The_last_failure_names_the_clients_final_error(string failure, int status, string code)
    {
        var error = Failures[failure].FinalError("m", "p");

        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Contains("'p'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_upstreams_message_is_quoted_in_the_final_error()
    {
        Assert.EndsWith(" Upstream said: quota", new AttemptResult.RateLimited("quota", null).FinalError("m", "p").Message, StringComparison.Ordinal);
        Assert.EndsWith("provider 'p').", new AttemptResult.UpstreamFailed(500, "").FinalError("m", "p").Message, StringComparison.Ordinal);
    }

    private static AttemptFeature Attempt(string provider, string model = "m")
    {
        var definition = Snapshot.Providers.Single(p => p.Name == provider);
        var target = new RouteTarget(definition, model);
        var request = new LlmRequest(IngressRoute.All[0], Snapshot, ReadOnlyMemory<byte>.Empty, model, stream: false, new ModelRoute(model, [target], null));
        var attempt = new AttemptFeature(request, new FailoverState(), target);
        attempt.ResolveAccount(definition.Accounts[0].DestinationId, Snapshot);
        return attempt;
    }

    private static async Task<AttemptResult> ClassifyAsync(AttemptFeature attempt, int status, string body, string? retryAfter)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return await AttemptClassifier.ClassifyAnswerAsync(response, attempt, Now, CancellationToken.None);
    }

    private static (DefaultHttpContext Context, AttemptFeature Attempt) Settled(AttemptFeature attempt, bool clientGone)
    {
        var context = new DefaultHttpContext();
        if (clientGone)
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            context.RequestAborted = cts.Token;
        }

        context.Features.Set(attempt);
        return (context, attempt);
    }
}
