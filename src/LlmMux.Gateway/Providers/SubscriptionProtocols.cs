using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LlmMux.Gateway.Providers;

/// <summary>
/// Claude Pro/Max through its OAuth token: Anthropic Messages with <c>?beta=true</c>, the OAuth beta, and the Claude
/// Code identity as the first system block. The caller's own system prompt is kept after it, never dropped.
/// </summary>
internal sealed class ClaudeOAuthProtocol : AnthropicProtocol
{
    public new static readonly ClaudeOAuthProtocol Instance = new();

    public const string Identity = "You are Claude Code, Anthropic's official CLI for Claude.";

    private const string RequiredBeta = "oauth-2025-04-20";
    private const string DefaultBetas = "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14";

    public override void SetQuery(IDictionary<string, StringValues> query, bool stream) => query["beta"] = "true";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        base.SetCredential(headers, null, login);
        headers.Remove("x-api-key");
        headers.Authorization = new AuthenticationHeaderValue("Bearer", login?.AccessToken ?? apiKey);
        var betas = headers.TryGetValues("anthropic-beta", out var given) ? string.Join(',', given) : DefaultBetas;
        if (!betas.Split(',').Any(b => b.Trim() == RequiredBeta))
        {
            betas += "," + RequiredBeta;
        }

        headers.Remove("anthropic-beta");
        headers.TryAddWithoutValidation("anthropic-beta", betas);
    }

    /// <summary>OAuth tokens serve only Claude Code requests: its identity must open the system prompt.</summary>
    public override ReadOnlyMemory<byte> AdjustBody(ReadOnlyMemory<byte> body, UpstreamCredential? login, bool stream)
    {
        if (JsonNode.Parse(body.Span) is not JsonObject json)
        {
            return body;
        }

        var identity = new JsonObject { ["type"] = "text", ["text"] = Identity };
        switch (json["system"])
        {
            case JsonArray blocks when blocks.FirstOrDefault() is JsonObject first && first["text"] is JsonValue t && t.TryGetValue<string>(out var text) && text == Identity:
                return body;
            case JsonArray blocks:
                blocks.Insert(0, identity);
                break;
            case JsonValue text when text.TryGetValue<string>(out var s) && s.Length > 0:
                json["system"] = new JsonArray(identity, new JsonObject { ["type"] = "text", ["text"] = s });
                break;
            default:
                json["system"] = new JsonArray(identity);
                break;
        }

        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}

/// <summary>
/// ChatGPT (Codex) plans: OpenAI Responses to the ChatGPT backend, which only streams and wants <c>store:false</c>,
/// <c>instructions</c> and none of the parameters it rejects.
/// </summary>
internal sealed class CodexProtocol : UpstreamProtocol
{
    public static readonly CodexProtocol Instance = new();

    private const string DefaultInstructions = "You are a helpful assistant.";

    /// <summary>Parameters the ChatGPT backend answers with 400 "Unsupported parameter".</summary>
    private static readonly string[] Unsupported =
        ["stream_options", "previous_response_id", "prompt_cache_retention", "safety_identifier", "max_output_tokens", "temperature", "top_p", "user", "metadata"];

    public override Dialect Dialect => Dialect.OpenAIResponses;

    public override bool AlwaysStreams => true;

    public override PathString GeneratePath(string model, bool stream) => "/responses";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", login?.AccessToken ?? apiKey);
        headers.Remove("OpenAI-Beta");
        headers.TryAddWithoutValidation("OpenAI-Beta", "responses=experimental");
        headers.TryAddWithoutValidation("Originator", "codex_cli_rs");
        headers.Accept.Clear();
        headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (login?.AccountId is { } accountId)
        {
            headers.TryAddWithoutValidation("Chatgpt-Account-Id", accountId);
        }
    }

    public override ReadOnlyMemory<byte> AdjustBody(ReadOnlyMemory<byte> body, UpstreamCredential? login, bool stream)
    {
        if (JsonNode.Parse(body.Span) is not JsonObject json)
        {
            return body;
        }

        foreach (var name in Unsupported)
        {
            json.Remove(name);
        }

        json["store"] = false;
        json["stream"] = true;
        if (json["instructions"] is not JsonValue instructions || !instructions.TryGetValue<string>(out var text) || text.Length == 0)
        {
            json["instructions"] = DefaultInstructions;
        }

        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}

/// <summary>Gemini through a Google login: the Code Assist envelope with the account's project id.</summary>
internal sealed class CodeAssistProtocol : UpstreamProtocol
{
    public static readonly CodeAssistProtocol Instance = new();

    public override Dialect Dialect => Dialect.GeminiCodeAssist;

    public override PathString GeneratePath(string model, bool stream) => stream ? "/v1internal:streamGenerateContent" : "/v1internal:generateContent";

    public override PathString? CountTokensPath(string model) => "/v1internal:countTokens";

    public override void SetQuery(IDictionary<string, StringValues> query, bool stream)
    {
        if (stream)
        {
            query["alt"] = "sse";
        }
    }

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", login?.AccessToken ?? apiKey);
        headers.UserAgent.Clear();
        headers.TryAddWithoutValidation("User-Agent", "google-api-nodejs-client/9.15.1");
        headers.TryAddWithoutValidation("X-Goog-Api-Client", "gl-node/22.17.0");
        headers.TryAddWithoutValidation("Client-Metadata", "ideType=IDE_UNSPECIFIED,platform=PLATFORM_UNSPECIFIED,pluginType=GEMINI");
    }

    /// <summary>The project is the account's, whatever the caller's envelope said.</summary>
    public override ReadOnlyMemory<byte> AdjustBody(ReadOnlyMemory<byte> body, UpstreamCredential? login, bool stream)
    {
        if (login?.ProjectId is not { } project || JsonNode.Parse(body.Span) is not JsonObject json)
        {
            return body;
        }

        json["project"] = project;
        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}

/// <summary>GitHub Copilot: OpenAI Chat with the short-lived Copilot token and the editor headers it requires.</summary>
internal sealed class CopilotProtocol : UpstreamProtocol
{
    public static readonly CopilotProtocol Instance = new();

    public override Dialect Dialect => Dialect.OpenAIChat;

    public override PathString GeneratePath(string model, bool stream) => "/chat/completions";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", login?.AccessToken ?? apiKey);
        headers.UserAgent.Clear();
        headers.TryAddWithoutValidation("User-Agent", "GithubCopilot/1.0");
        headers.TryAddWithoutValidation("Editor-Version", "vscode/1.104.1");
        headers.TryAddWithoutValidation("Editor-Plugin-Version", "copilot/1.300.0");
        headers.TryAddWithoutValidation("Openai-Intent", "conversation-panel");
        headers.TryAddWithoutValidation("Copilot-Integration-Id", "vscode-chat");
        headers.TryAddWithoutValidation("X-Request-Id", Guid.NewGuid().ToString());
    }
}
