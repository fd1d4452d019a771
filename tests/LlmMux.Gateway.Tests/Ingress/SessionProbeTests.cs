using LlmMux.Gateway.Ingress;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Ingress;

public sealed class SessionProbeTests
{
    [Fact]
    public void The_probe_reads_every_body_session_field_and_the_thinking_budget()
    {
        var probe = RequestProbe.Read("""
            {"model":"m","prompt_cache_key":"pck","user":"u","metadata":{"user_id":"user_1_session_2","other":{"x":1}},
             "conversation":{"id":"conv_1"},"thinking":{"budget_tokens":500,"type":"enabled"}}
            """u8);

        Assert.Equal(new BodySessionIds("pck", "conv_1", "user_1_session_2", "u"), probe.Sessions);
        Assert.Equal(500, probe.ThinkingBudget);
        Assert.Equal("conv_2", RequestProbe.Read("""{"conversation":"conv_2"}"""u8).Sessions.Conversation);
        Assert.Null(RequestProbe.Read("""{"thinking":{"type":"adaptive","budget_tokens":500}}"""u8).ThinkingBudget);
        Assert.Null(RequestProbe.Read("""{"thinking":{"type":"enabled","budget_tokens":{"n":1}}}"""u8).ThinkingBudget);
    }

    [Fact]
    public void The_first_source_in_the_configured_order_that_has_an_id_wins()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers["X-Claude-Code-Session-Id"] = "header-id";
        var body = new BodySessionIds("cache-key", null, null, null);

        Assert.Equal("header-id", new SessionSources(SessionSources.Default).Find(request, body).Id);
        Assert.Equal("cache-key", new SessionSources(["body:prompt_cache_key", "header:x-claude-code-session-id"]).Find(request, body).Id);
        Assert.Null(new SessionSources([]).Find(request, body).Id);
        Assert.Equal(SessionSources.MaxLength, new SessionSources(["body:prompt_cache_key"]).Find(request, body with { PromptCacheKey = new string('k', 1000) }).Id!.Length);
    }
}
