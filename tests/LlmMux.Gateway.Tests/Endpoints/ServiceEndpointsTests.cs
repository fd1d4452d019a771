using System.Net;
using System.Text.Json;
using LlmMux.Gateway.Tests.EndToEnd;

namespace LlmMux.Gateway.Tests.Endpoints;

/// <summary>Model listing, health and config hot reload.</summary>
public sealed class ServiceEndpointsTests : IAsyncLifetime
{
    private const string InitialConfig = """
        api-keys: [client-key]
        providers:
          - name: up
            type: openai
            base-url: http://127.0.0.1:9/v1
            models: [gpt-4.1, { name: gpt-4.1-mini, alias: fast }]
        """;

    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync(InitialConfig);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<List<string>> ModelIdsAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("Authorization", "Bearer client-key");
        var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("list", root.GetProperty("object").GetString());
        return root.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
    }

    [Fact]
    public async Task Models_are_listed_in_the_openai_shape_under_their_client_names()
        => Assert.Equal(["gpt-4.1", "fast"], await ModelIdsAsync());

    [Fact]
    public async Task One_model_can_be_fetched_and_an_unknown_one_is_404()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models/fast") { Headers = { { "x-api-key", "client-key" } } };
        var found = JsonDocument.Parse(await (await _gateway.Client.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("fast", found.GetProperty("id").GetString());
        Assert.Equal("up", found.GetProperty("owned_by").GetString());

        var missing = await _gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models/none") { Headers = { { "x-api-key", "client-key" } } });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_model_list_needs_a_client_key()
        => Assert.Equal(HttpStatusCode.Unauthorized, (await _gateway.Client.GetAsync("/v1/models")).StatusCode);

    [Fact]
    public async Task Health_and_readiness_answer_without_a_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Client.GetAsync("/healthz")).StatusCode);
        var ready = JsonDocument.Parse(await _gateway.Client.GetStringAsync("/readyz")).RootElement;
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(1, ready.GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task A_model_added_to_the_file_is_served_without_a_restart()
    {
        var error = await _gateway.RewriteConfigAsync(InitialConfig.Replace("models: [gpt-4.1,", "models: [gpt-4.1, o3,", StringComparison.Ordinal));
        Assert.Null(error);
        Assert.Equal(["gpt-4.1", "o3", "fast"], await ModelIdsAsync());
    }

    [Fact]
    public async Task An_invalid_file_is_rejected_and_the_old_config_stays()
    {
        var error = await _gateway.RewriteConfigAsync(InitialConfig + "\nbogus: 1\n");
        Assert.NotNull(error);
        Assert.Contains("unknown key 'bogus'", error, StringComparison.Ordinal);
        Assert.Equal(["gpt-4.1", "fast"], await ModelIdsAsync());
        var ready = JsonDocument.Parse(await _gateway.Client.GetStringAsync("/readyz")).RootElement;
        Assert.DoesNotContain("bogus", ready.GetProperty("last_reload_error").GetString(), StringComparison.Ordinal); // the text stays in management (L1)
        Assert.StartsWith("config reload failed", ready.GetProperty("last_reload_error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_paths_are_404_in_the_callers_dialect()
    {
        var response = await _gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/nothing"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(JsonValueKind.String, body.GetProperty("error").ValueKind); // Ollama shape: {"error":"..."}
    }
}
