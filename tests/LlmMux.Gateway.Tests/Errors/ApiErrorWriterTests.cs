using System.Text;
using LlmMux.Gateway.Errors;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Errors;

/// <summary>Gateway errors in each dialect, rendered by the dialects' own writers.</summary>
public sealed class ApiErrorWriterTests
{
    private static readonly ApiError Broken = new(502, "upstream_stream_broken", "cut");

    [Theory]
    [InlineData(Dialect.OpenAIChat, """{"error":{"message":"The API key is not one of the configured api-keys.","type":"authentication_error","code":"invalid_api_key","param":null}}""")]
    [InlineData(Dialect.OpenAIResponses, """{"error":{"message":"The API key is not one of the configured api-keys.","type":"authentication_error","code":"invalid_api_key","param":null}}""")]
    [InlineData(Dialect.Anthropic, """{"type":"error","error":{"type":"authentication_error","message":"The API key is not one of the configured api-keys."}}""")]
    [InlineData(Dialect.GeminiCodeAssist, """{"error":{"code":401,"message":"The API key is not one of the configured api-keys.","status":"UNAUTHENTICATED"}}""")]
    [InlineData(Dialect.OllamaGenerate, """{"error":"The API key is not one of the configured api-keys."}""")]
    public void Bodies_have_the_dialect_shape(Dialect dialect, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(ApiErrorWriter.Render(dialect, ApiError.WrongKey())));

    [Theory]
    [InlineData(Dialect.OpenAIChat, "data: {\"error\":{\"message\":\"cut\",\"type\":\"server_error\",\"code\":\"upstream_stream_broken\",\"param\":null}}\n\ndata: [DONE]\n\n")]
    [InlineData(Dialect.OpenAICompletions, "data: {\"error\":{\"message\":\"cut\",\"type\":\"server_error\",\"code\":\"upstream_stream_broken\",\"param\":null}}\n\ndata: [DONE]\n\n")]
    [InlineData(Dialect.Anthropic, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"cut\"}}\n\n")]
    [InlineData(Dialect.Gemini, "data: {\"error\":{\"code\":502,\"message\":\"cut\",\"status\":\"INTERNAL\"}}\n\n")]
    [InlineData(Dialect.Ollama, "{\"error\":\"cut\"}\n")]
    public void Stream_errors_are_the_dialect_events(Dialect dialect, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(ApiErrorWriter.RenderStreamError(dialect, Broken)));

    /// <summary>Requests no endpoint claims are placed by their path; the rule is the one documented on CallerDialect.</summary>
    [Theory]
    [InlineData("/api/nope", null, Dialect.Ollama)]
    [InlineData("/ollama/api/nope", null, Dialect.Ollama)]
    [InlineData("/v1beta/nope", null, Dialect.Gemini)]
    [InlineData("/v1internal:nope", null, Dialect.Gemini)]
    [InlineData("/v2/x:y", null, Dialect.Gemini)]
    [InlineData("/v1/messages/nope", null, Dialect.Anthropic)]
    [InlineData("/v1/models/x", "x-goog-api-key", Dialect.Gemini)]
    [InlineData("/v1/models/x", "anthropic-version", Dialect.Anthropic)]
    [InlineData("/v1/models/x", null, Dialect.OpenAIChat)]
    [InlineData("/nope", "anthropic-version", Dialect.OpenAIChat)]
    public void Unmatched_requests_are_placed_by_path(string path, string? header, Dialect expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (header is not null)
        {
            context.Request.Headers[header] = "x";
        }

        Assert.Equal(expected, CallerDialect.Of(context));
    }

    [Fact]
    public void Endpoint_metadata_wins_over_the_path()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/tags";
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new DialectMetadata(Dialect.Anthropic)), "test"));
        Assert.Equal(Dialect.Anthropic, CallerDialect.Of(context));

        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new DialectMetadata(Dialect.OpenAIChat, CallerDialect.ModelListCallers)), "shared"));
        context.Request.QueryString = new QueryString("?key=k");
        Assert.Equal(Dialect.Gemini, CallerDialect.Of(context));
    }
}
