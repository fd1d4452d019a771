using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmMux.Accounts.Store;

/// <summary>
/// The JSON of one account file, field-compatible with the Go llm-mux. Fields this code does not know are kept in
/// <see cref="Extra"/> and written back unchanged. Holds secrets: <see cref="ToString"/> is redacted.
/// </summary>
internal sealed record AccountFile
{
    /// <summary>Value of <see cref="State"/> written when the provider rejected the refresh token.</summary>
    public const string ExpiredState = "expired";

    /// <summary>Value of <see cref="State"/> written when the provider no longer serves the account through this type.</summary>
    public const string RetiredState = "retired";

    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("disabled")] public bool? Disabled { get; init; }
    [JsonPropertyName("project_id")] public string? ProjectId { get; init; }
    [JsonPropertyName("account_id")] public string? AccountId { get; init; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; init; }
    [JsonPropertyName("id_token")] public string? IdToken { get; init; }

    /// <summary>Access-token expiry, RFC 3339 (claude, codex).</summary>
    [JsonPropertyName("expired")] public string? Expired { get; init; }

    /// <summary>Time of the last successful refresh, RFC 3339.</summary>
    [JsonPropertyName("last_refresh")] public string? LastRefresh { get; init; }

    /// <summary>Gemini: the golang oauth2 token object.</summary>
    [JsonPropertyName("token")] public GeminiToken? Token { get; init; }

    /// <summary>llm-mux (C#) only: <c>"expired"</c> after invalid_grant; absent otherwise. Go llm-mux ignores it.</summary>
    [JsonPropertyName("llm_mux_state")] public string? State { get; init; }

    /// <summary>llm-mux (C#) only: why the account is <see cref="RetiredState"/>. Never a secret.</summary>
    [JsonPropertyName("llm_mux_state_reason")] public string? StateReason { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    public override string ToString() => $"AccountFile {{ Type = {Type}, Email = {Email}, Username = {Username} }}";
}

/// <summary>The <c>token</c> object of a gemini file. Holds secrets: <see cref="ToString"/> is redacted.</summary>
internal sealed record GeminiToken
{
    [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; init; }
    [JsonPropertyName("token_type")] public string? TokenType { get; init; }

    /// <summary>RFC 3339.</summary>
    [JsonPropertyName("expiry")] public string? Expiry { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    public override string ToString() => "GeminiToken { redacted }";
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(AccountFile))]
[JsonSerializable(typeof(string))]
internal sealed partial class AccountJsonContext : JsonSerializerContext;
