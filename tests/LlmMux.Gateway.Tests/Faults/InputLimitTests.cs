using System.Net;
using System.Text;
using LlmMux.Gateway.Ingress;
using LlmMux.Gateway.Tests.EndToEnd;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>Bounded input: deep JSON, bodies that promise more than they send, bodies over the limit.</summary>
public sealed class InputLimitTests
{
    [Fact]
    public async Task Json_nested_deeper_than_the_limit_is_a_400_and_the_gateway_keeps_serving()
    {
        await using var gateway = await GatewayFixture.StartAsync("providers: []\n");
        var deep = "{\"model\":\"m\",\"messages\":" + new string('[', 100_000) + new string(']', 100_000) + "}";

        var response = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent(deep, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_declared_content_length_is_not_allocated_before_the_bytes_arrive()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentLength = 32L * 1024 * 1024;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("""{"model":"m"}"""));

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var body = await RequestBodyReader.ReadAsync(context.Request, 64L * 1024 * 1024, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("""{"model":"m"}""", Encoding.UTF8.GetString(body!.Memory.Span));
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes for a 13-byte body that declared 32 MiB");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(3 * 1024 * 1024 + 17)]
    public async Task Bodies_are_read_whole_across_buffer_growth_with_or_without_a_length(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        foreach (var declared in new long?[] { size, null })
        {
            var context = new DefaultHttpContext();
            context.Request.ContentLength = declared;
            context.Request.Body = new TrickleStream(bytes);

            using var body = await RequestBodyReader.ReadAsync(context.Request, 8L * 1024 * 1024, CancellationToken.None);

            Assert.True(body!.Memory.Span.SequenceEqual(bytes));
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_however_it_is_sent()
    {
        foreach (var declared in new long?[] { 2048, null })
        {
            var context = new DefaultHttpContext();
            context.Request.ContentLength = declared;
            context.Request.Body = new TrickleStream(new byte[2048]);

            Assert.Null(await RequestBodyReader.ReadAsync(context.Request, 1024, CancellationToken.None));
        }
    }

    /// <summary>Hands out at most 7,000 bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, 7000)], cancellationToken);
    }
}
