using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Errors;

/// <summary>Which dialect a caller speaks, from the path and, for the shared <c>/v1/models</c>, its headers.</summary>
public static class DialectDetector
{
    public static ApiDialect Detect(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/ollama/", StringComparison.Ordinal))
        {
            return ApiDialect.Ollama;
        }

        if (path.StartsWith("/v1beta/", StringComparison.Ordinal) || path.StartsWith("/v1alpha/", StringComparison.Ordinal)
            || path.StartsWith("/v1internal", StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
        {
            return ApiDialect.Gemini;
        }

        if (path.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            return ApiDialect.Anthropic;
        }

        if (path.StartsWith("/v1/models", StringComparison.Ordinal))
        {
            if (request.Headers.ContainsKey("x-goog-api-key") || request.Query.ContainsKey("key") || request.Headers.ContainsKey("x-goog-api-client"))
            {
                return ApiDialect.Gemini;
            }

            if (request.Headers.ContainsKey("anthropic-version"))
            {
                return ApiDialect.Anthropic;
            }
        }

        return ApiDialect.OpenAI;
    }
}
