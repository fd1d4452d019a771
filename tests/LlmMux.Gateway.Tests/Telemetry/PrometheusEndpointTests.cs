using System.Net;
using System.Text;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Telemetry;

public sealed class PrometheusEndpointTests
{
    [Fact]
    public async Task Metrics_are_scraped_as_prometheus_text_without_a_key()
    {
        await using var gateway = await GatewayFixture.StartAsync("api-keys: [k]\nproviders: []\n");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"none"}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", "k");
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.SendAsync(request)).StatusCode);

        var response = await gateway.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("llm_mux_accounts_cooling", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
