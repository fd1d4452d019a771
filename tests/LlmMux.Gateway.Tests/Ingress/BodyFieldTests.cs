using System.Text;
using System.Text.Json;
using LlmMux.Gateway.Ingress;

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
}
