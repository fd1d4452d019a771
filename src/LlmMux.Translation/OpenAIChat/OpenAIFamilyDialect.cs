using System.Text.Json;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>What the OpenAI dialects (Chat Completions, Responses, legacy Completions) share: the error shape, the
/// model list and the token-count answer.</summary>
internal abstract class OpenAIFamilyDialect : DialectDescriptor
{
    public sealed override ApiFamily Family => ApiFamily.OpenAI;

    public override void WriteError(Utf8JsonWriter w, int status, string message, string? code) => WriteErrorBody(w, status, message, code);

    /// <summary><c>{"error":{"message","type","code","param"}}</c>; the type follows the status, the code is llm-mux's or the upstream's.</summary>
    internal static void WriteErrorBody(Utf8JsonWriter w, int status, string message, string? code)
    {
        w.WriteStartObject();
        w.WritePropertyName("error"u8);
        w.WriteStartObject();
        w.WriteString("message"u8, message);
        w.WriteString("type"u8, ErrorType(status));
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
        w.WriteEndObject();
    }

    public static string ErrorType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error", // 408, 413, 415, 421, 431 …: the request, not the server
        _ => "server_error",
    };

    public override void WriteModelList(Utf8JsonWriter w, IReadOnlyList<ListedModel> models)
    {
        w.WriteStartObject();
        w.WriteString("object"u8, "list"u8);
        WriteModels(w, "data"u8, models);
        w.WriteEndObject();
    }

    public override void WriteModel(Utf8JsonWriter w, ListedModel model)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, model.Id);
        w.WriteString("object"u8, "model"u8);
        w.WriteNumber("created"u8, 0);
        w.WriteString("owned_by"u8, model.Provider);
        w.WriteEndObject();
    }
}
