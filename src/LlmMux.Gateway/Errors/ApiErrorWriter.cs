using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Errors;

/// <summary>Renders an <see cref="ApiError"/> in each dialect's own error body (spec §4).</summary>
public static class ApiErrorWriter
{
    // Error bodies are read by people and never embedded in HTML, so quotes and backticks stay readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, ApiDialect dialect, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Render(dialect, error), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The dialect's in-stream error, for a failure after the stream began (spec §4): the last thing the client reads
    /// before the stream ends.
    /// </summary>
    public static byte[] RenderStreamError(ApiDialect dialect, ApiError error)
    {
        var body = System.Text.Encoding.UTF8.GetString(Render(dialect, error));
        var text = dialect switch
        {
            ApiDialect.Anthropic => $"event: error\ndata: {body}\n\n",
            ApiDialect.Gemini => $"data: {body}\n\n",
            ApiDialect.Ollama => body + "\n",
            _ => $"data: {body}\n\ndata: [DONE]\n\n",
        };
        return System.Text.Encoding.UTF8.GetBytes(text);
    }

    public static byte[] Render(ApiDialect dialect, ApiError error)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            switch (dialect)
            {
                case ApiDialect.Anthropic:
                    w.WriteString("type", "error");
                    w.WriteStartObject("error");
                    w.WriteString("type", AnthropicType(error.Status));
                    w.WriteString("message", error.Message);
                    w.WriteEndObject();
                    break;
                case ApiDialect.Gemini:
                    w.WriteStartObject("error");
                    w.WriteNumber("code", error.Status);
                    w.WriteString("message", error.Message);
                    w.WriteString("status", GoogleStatus(error.Status));
                    w.WriteEndObject();
                    break;
                case ApiDialect.Ollama:
                    w.WriteString("error", error.Message);
                    break;
                default:
                    w.WriteStartObject("error");
                    w.WriteString("message", error.Message);
                    w.WriteString("type", OpenAIType(error.Status));
                    w.WriteNull("param");
                    w.WriteString("code", error.Code);
                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string OpenAIType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    private static string AnthropicType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    private static string GoogleStatus(int status) => status switch
    {
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        502 or 503 or 529 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        >= 500 => "INTERNAL",
        _ => "INVALID_ARGUMENT",
    };
}
