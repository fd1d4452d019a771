using System.Net;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Security;

/// <summary>
/// With keys set, the paths under the probes and management that no endpoint serves answer as the fallback would,
/// without a key; every other unmatched path still needs one.
/// </summary>
public sealed class ServiceEndpointOptOutTests
{
    private const string Config = """
        api-keys: [k1]
        management:
          secret-key: "s"
        telemetry:
          prometheus: false
        providers: []
        """;

    [Theory]
    [InlineData("GET", "/metrics", HttpStatusCode.NotFound, true)]
    [InlineData("POST", "/healthz", HttpStatusCode.NotFound, true)]
    [InlineData("GET", "/healthz", HttpStatusCode.OK, false)]
    [InlineData("GET", "/v0/management", HttpStatusCode.NotFound, true)]
    [InlineData("GET", "/v0/management/nope", HttpStatusCode.NotFound, true)]
    [InlineData("DELETE", "/v0/management/config", HttpStatusCode.NotFound, true)]
    [InlineData("GET", "/v0/management/x.json", HttpStatusCode.NotFound, false)]
    [InlineData("GET", "/v0/management/accounts", HttpStatusCode.Unauthorized, false)]
    [InlineData("GET", "/v1/nope", HttpStatusCode.Unauthorized, false)]
    [InlineData("GET", "/foo.json", HttpStatusCode.Unauthorized, false)]
    public async Task Unserved_service_paths_are_a_keyless_404_and_other_paths_need_a_key(string method, string path, HttpStatusCode status, bool unknownRoute)
    {
        await using var gateway = await GatewayFixture.StartAsync(Config);
        var response = await gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(unknownRoute, body.Contains("\"code\":\"not_found\"", StringComparison.Ordinal));
    }
}
