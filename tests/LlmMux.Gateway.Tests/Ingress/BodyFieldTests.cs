using System.Text;
using System.Text.Json;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Transforms;

namespace LlmMux.Gateway.Tests.Ingress;

public sealed class BodyFieldTests
{
    [Fact]
    public void The_probe_reads_model_and_stream_at_the_top_level_only()
    {
        var probe = RequestProbe.Read("""{"messages":[{"model":"inner","stream":false}],"model":"gpt","stream":true}"""u8);
        Assert.Equal(new RequestProbe("gpt", true), probe);
    }

    [Theory]
    [InlineData("{\"model\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"model\":1}")]
    [InlineData("{\"model\":\"a\",\"stream\":\"yes\"}")]
    [InlineData("{\"model\":\"a\"} trailing")]
    [InlineData("")]
    public void Malformed_bodies_are_rejected(string body)
        => Assert.ThrowsAny<JsonException>(() => RequestProbe.Read(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Rewriting_the_model_changes_only_that_value()
    {
        const string body = "{ \"model\" : \"smart\",\n  \"x\": {\"model\": \"keep\"}, \"unknown_field\": [1, 2.50, \"\\u00e9\"] }";
        var rewritten = Encoding.UTF8.GetString(ModelFieldRewriter.Rewrite(Encoding.UTF8.GetBytes(body), "gpt-4.1\"q").Span);
        Assert.Equal(body.Replace("\"smart\"", "\"gpt-4.1\\u0022q\"", StringComparison.Ordinal), rewritten);
    }

    [Fact]
    public void Rewriting_handles_an_escaped_original_value()
    {
        var rewritten = Encoding.UTF8.GetString(ModelFieldRewriter.Rewrite("{\"model\":\"a\\u0062c\"}"u8.ToArray(), "xyz").Span);
        Assert.Equal("{\"model\":\"xyz\"}", rewritten);
    }
}
