using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Vertex;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Providers.Vertex;
using LlmMux.Gateway.Routing;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Providers.Vertex;

/// <summary>Vertex AI: where each model goes (project, region, publisher, method) and the body rawPredict takes.</summary>
public sealed class VertexProtocolTests
{
    private static readonly UpstreamCredential Login = new("ya29.t", null) { Details = new VertexDetails("proj-key") };

    [Theory]
    [InlineData(null, null, null, "https://aiplatform.googleapis.com/v1/projects/proj-key/locations/global")]
    [InlineData(null, "us-east5", null, "https://us-east5-aiplatform.googleapis.com/v1/projects/proj-key/locations/us-east5")]
    [InlineData("https://europe-west4-aiplatform.googleapis.com", null, null, "https://europe-west4-aiplatform.googleapis.com/v1/projects/proj-key/locations/europe-west4")]
    [InlineData("http://127.0.0.1:9999", "us-central1", "proj-cfg", "http://127.0.0.1:9999/v1/projects/proj-cfg/locations/us-central1")]
    [InlineData(null, "global", "proj-cfg", "https://aiplatform.googleapis.com/v1/projects/proj-cfg/locations/global")]
    public void The_project_and_region_come_from_the_config_else_the_host_and_the_key(string? baseUrl, string? region, string? project, string expected)
    {
        var provider = Provider(baseUrl) with { Region = region, Project = project };

        Assert.Equal(expected, provider.Kind.BaseUrlFor(Login, provider));
    }

    [Theory]
    [InlineData("gemini-2.5-pro", false, "/publishers/google/models/gemini-2.5-pro:generateContent", Dialect.Gemini)]
    [InlineData("gemini-2.5-flash", true, "/publishers/google/models/gemini-2.5-flash:streamGenerateContent", Dialect.Gemini)]
    [InlineData("claude-sonnet-4-5@20250929", false, "/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict", Dialect.Anthropic)]
    [InlineData("claude-opus-4-1@20250805", true, "/publishers/anthropic/models/claude-opus-4-1@20250805:streamRawPredict", Dialect.Anthropic)]
    public void Each_model_gets_its_publisher_s_protocol(string model, bool stream, string path, Dialect dialect)
    {
        var target = new RouteTarget(Provider(null), model);

        Assert.Equal(dialect, target.Protocol.Dialect);
        Assert.Equal(path, target.Protocol.GeneratePath(model, stream).Value);
        Assert.False(target.Protocol.ModelInBody);
        Assert.Same(ProviderTypes.Get("openai").Protocol, new RouteTarget(Provider(null) with { Kind = ProviderTypes.Get("openai") }, "claude-x").Protocol);
    }

    [Fact]
    public void An_express_key_goes_to_the_global_publisher_path_as_x_goog_api_key()
    {
        var provider = Provider(null);
        using var request = new HttpRequestMessage();

        VertexGeminiProtocol.Instance.SetCredential(request.Headers, "AQ.key", login: null);

        Assert.Equal("https://aiplatform.googleapis.com/v1", provider.Kind.BaseUrlFor(null, provider));
        Assert.Equal("AQ.key", Assert.Single(request.Headers.GetValues("x-goog-api-key")));
        Assert.Null(request.Headers.Authorization);
        Assert.True(provider.Kind.AlsoTakesApiKeys);
        Assert.All(ProviderTypes.All.Where(t => t != provider.Kind), t => Assert.False(t.AlsoTakesApiKeys));
    }

    [Fact]
    public void The_access_token_goes_as_a_bearer_and_no_anthropic_header_is_left()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.TryAddWithoutValidation("x-api-key", "client-key");

        VertexClaudeProtocol.Instance.SetCredential(request.Headers, null, Login);

        Assert.Equal("Bearer ya29.t", request.Headers.Authorization!.ToString());
        Assert.False(request.Headers.Contains("anthropic-version"));
        Assert.False(request.Headers.Contains("x-api-key"));
    }

    [Theory]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}],"stream":true}""", """{"max_tokens":64,"messages":[{"role":"user","content":"hi"}],"stream":true,"anthropic_version":"vertex-2023-10-16"}""")]
    [InlineData("""{"anthropic_version":"bedrock-2023-05-31","model":"claude-sonnet-4-5","max_tokens":64,"messages":[]}""", """{"anthropic_version":"vertex-2023-10-16","max_tokens":64,"messages":[]}""")]
    public void Raw_predict_gets_no_model_and_the_vertex_anthropic_version(string body, string expected)
    {
        var overrides = VertexClaudeProtocol.Instance.BodyOverrides(new RequestOverrides { Model = "claude-sonnet-4-5@20250929" }, Login, stream: true);

        var upstream = Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.Anthropic, Dialect.Anthropic, overrides);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(upstream)), Encoding.UTF8.GetString(upstream));
    }

    [Fact]
    public void A_translated_body_gets_no_model_either()
    {
        var overrides = VertexClaudeProtocol.Instance.BodyOverrides(new RequestOverrides { Model = "claude-sonnet-4-5@20250929", Stream = false }, Login, stream: false);

        var upstream = JsonNode.Parse(Translator.Default.TranslateRequest(
            Encoding.UTF8.GetBytes("""{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}"""), Dialect.OpenAIChat, Dialect.Anthropic, overrides))!;

        Assert.Null(upstream["model"]);
        Assert.Equal("vertex-2023-10-16", upstream["anthropic_version"]!.GetValue<string>());
        Assert.NotNull(upstream["max_tokens"]);
    }

    private static ProviderDefinition Provider(string? baseUrl) =>
        new("vertex", VertexProviderType.Instance, baseUrl ?? VertexProviderType.Instance.DefaultBaseUrl, [], [], new Dictionary<string, string>(), "round-robin");
}
