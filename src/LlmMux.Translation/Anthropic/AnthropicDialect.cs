using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Anthropic;

/// <summary>Anthropic Messages (<c>POST /v1/messages</c>, <c>/v1/messages/count_tokens</c>).</summary>
internal sealed class AnthropicDialect : DialectDescriptor
{
    public override Dialect Dialect => Dialect.Anthropic;

    public override ApiFamily Family => ApiFamily.Anthropic;

    public override IReadOnlyList<DialectRoute> Routes { get; } =
    [
        new("anthropic-messages", "/v1/messages"),
        new("anthropic-count-tokens", "/v1/messages/count_tokens", IngressKind.CountTokens),
    ];

    public override bool WantsInputTokenEstimate => true;

    public override IReadOnlyList<string> CallerHeaders { get; } = ["anthropic-version"];

    internal override IDialectCodec Codec { get; } = new AnthropicCodec();

    internal override UsageScanner CreateUsageScanner() => new AnthropicUsageScan();

    public override void WriteError(Utf8JsonWriter w, int status, string message, string? code) => WriteErrorBody(w, status, message, code);

    /// <summary><c>{"type":"error","error":{"type","message"}}</c>. Anthropic SDKs map <c>error.type</c> to exception
    /// classes, so a code outside their set is replaced by the type for the status.</summary>
    internal static void WriteErrorBody(Utf8JsonWriter w, int status, string message, string? code)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "error"u8);
        w.WritePropertyName("error"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, code is "invalid_request_error" or "authentication_error" or "permission_error" or "not_found_error"
            or "request_too_large" or "rate_limit_error" or "overloaded_error" or "billing_error" or "timeout_error"
            ? code
            : ErrorType(status));
        w.WriteString("message"u8, message);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string ErrorType(int status) => status switch
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

    public override void WriteModelList(Utf8JsonWriter w, IReadOnlyList<ListedModel> models)
    {
        w.WriteStartObject();
        WriteModels(w, "data"u8, models);
        w.WriteBoolean("has_more"u8, false);
        JsonWrite.StringOrNull(w, "first_id", models.Count > 0 ? models[0].Id : null);
        JsonWrite.StringOrNull(w, "last_id", models.Count > 0 ? models[^1].Id : null);
        w.WriteEndObject();
    }

    public override void WriteModel(Utf8JsonWriter w, ListedModel model)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "model"u8);
        w.WriteString("id"u8, model.Id);
        w.WriteString("display_name"u8, model.DisplayName ?? model.Id);
        w.WriteString("created_at"u8, "1970-01-01T00:00:00Z"u8);
        w.WriteEndObject();
    }
}
