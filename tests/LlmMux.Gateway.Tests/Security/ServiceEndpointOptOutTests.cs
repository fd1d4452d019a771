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

    [Theory]
    [InlineData("/v0/management/accounts", "k1", HttpStatusCode.Unauthorized)]
    [InlineData("/v0/management/accounts", "s", HttpStatusCode.OK)]
    [InlineData("/v1/models", "s", HttpStatusCode.Unauthorized)]
    [InlineData("/v1/models", "k1", HttpStatusCode.OK)]
    public async Task Each_route_takes_only_its_own_schemes_secret(string path, string bearer, HttpStatusCode status)
    {
        await using var gateway = await GatewayFixture.StartAsync(Config);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        var response = await gateway.Client.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task A_management_body_need_not_be_json_but_an_llm_body_must()
    {
        await using var gateway = await GatewayFixture.StartAsync(Config);
        using var management = new HttpRequestMessage(HttpMethod.Post, "/v0/management/config/validate") { Content = new StringContent("port: 1\n") };
        management.Headers.Add("X-Management-Key", "s");
        Assert.NotEqual(HttpStatusCode.UnsupportedMediaType, (await gateway.Client.SendAsync(management)).StatusCode);

        using var llm = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("{}") };
        llm.Headers.Add("x-api-key", "k1");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await gateway.Client.SendAsync(llm)).StatusCode);
    }
}
