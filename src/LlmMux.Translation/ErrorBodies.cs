using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation;

/// <summary>Error bodies in each dialect's own shape.</summary>
public static class ErrorBodies
{
    public static byte[] Write(Dialect dialect, int status, string message, string? code = null) =>
        JsonWrite.ToBytes(w => Write(w, dialect, status, message, code));

    internal static void Write(Utf8JsonWriter w, Dialect dialect, int status, string message, string? code)
    {
        w.WriteStartObject();
        switch (dialect)
        {
            case Dialect.Anthropic:
                w.WriteString("type"u8, "error"u8);
                w.WritePropertyName("error"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, code ?? AnthropicType(status));
                w.WriteString("message"u8, message);
                w.WriteEndObject();
                break;
            case Dialect.Gemini:
            case Dialect.GeminiCodeAssist:
                w.WritePropertyName("error"u8);
                w.WriteStartObject();
                w.WriteNumber("code"u8, status);
                w.WriteString("message"u8, message);
                w.WriteString("status"u8, code ?? GoogleStatus(status));
                w.WriteEndObject();
                break;
            case Dialect.Ollama:
            case Dialect.OllamaGenerate:
                w.WriteString("error"u8, message);
                break;
            default:
                w.WritePropertyName("error"u8);
                w.WriteStartObject();
                w.WriteString("message"u8, message);
                w.WriteString("type"u8, OpenAIType(status));
                if (code is null)
                {
                    w.WriteNull("code"u8);
                }
                else
                {
                    w.WriteString("code"u8, code);
                }

                w.WriteNull("param"u8);
                w.WriteEndObject();
                break;
        }

        w.WriteEndObject();
    }

    public static string OpenAIType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error", // 408, 413, 415, 421, 431 …: the request, not the server
        _ => "server_error",
    };

    public static string AnthropicType(int status) => status switch
    {
        400 or 409 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 or 503 => "overloaded_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "api_error",
    };

    public static string GoogleStatus(int status) => status switch
    {
        400 or 422 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };
}
