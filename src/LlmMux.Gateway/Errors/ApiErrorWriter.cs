using System.Text;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Errors;

/// <summary>
/// Renders an <see cref="ApiError"/> in each dialect's own error body (spec §4), through the translator's one set of
/// error shapes (<see cref="ErrorBodies"/>). Only OpenAI's shape has a field for llm-mux's machine-readable code.
/// </summary>
public static class ApiErrorWriter
{
    public static async Task WriteAsync(HttpContext context, ApiDialect dialect, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Render(dialect, error), context.RequestAborted).ConfigureAwait(false);
    }

    public static byte[] Render(ApiDialect dialect, ApiError error)
        => ErrorBodies.Write(WireDialect(dialect), error.Status, error.Message, dialect == ApiDialect.OpenAI ? error.Code : null);

    /// <summary>
    /// The dialect's in-stream error, for a failure after the stream began (spec §4): the last thing the client reads
    /// before the stream ends.
    /// </summary>
    public static byte[] RenderStreamError(ApiDialect dialect, ApiError error)
    {
        var body = Encoding.UTF8.GetString(Render(dialect, error));
        var text = dialect switch
        {
            ApiDialect.Anthropic => $"event: error\ndata: {body}\n\n",
            ApiDialect.Gemini => $"data: {body}\n\n",
            ApiDialect.Ollama => body + "\n",
            _ => $"data: {body}\n\ndata: [DONE]\n\n",
        };
        return Encoding.UTF8.GetBytes(text);
    }

    private static Dialect WireDialect(ApiDialect dialect) => dialect switch
    {
        ApiDialect.Anthropic => Dialect.Anthropic,
        ApiDialect.Gemini => Dialect.Gemini,
        ApiDialect.Ollama => Dialect.Ollama,
        _ => Dialect.OpenAIChat,
    };
}
