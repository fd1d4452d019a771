using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers;

/// <summary>
/// How to talk to one provider type: its wire dialect, endpoint paths and how an account's credential is sent.
/// Paths are relative to the provider's <c>base-url</c>.
/// </summary>
public abstract class UpstreamProtocol
{
    public abstract Dialect Dialect { get; }

    /// <summary>The upstream reads the model from the body (else from the path).</summary>
    public virtual bool ModelInBody => true;

    public abstract PathString GeneratePath(string model, bool stream);

    /// <summary>The native token-count endpoint, or null when the provider has none (llm-mux then estimates).</summary>
    public virtual PathString? CountTokensPath(string model) => null;

    public virtual void SetQuery(IDictionary<string, Microsoft.Extensions.Primitives.StringValues> query, bool stream)
    {
    }

    /// <summary>Puts the account's credential on the request: its API key, or the token of its login.</summary>
    public abstract void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login);

    /// <summary>The upstream only streams; a non-streaming client is served by collecting the stream (codex).</summary>
    public virtual bool AlwaysStreams => false;

    /// <summary>What this upstream needs in every body it receives (an identity system prompt, forced or rejected
    /// fields, the account's project), declared as overrides the translator applies in its one pass over the body.</summary>
    public virtual RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) => request;

    /// <summary>Last changes the upstream needs in the body it receives (envelopes, required fields).</summary>
    public virtual ReadOnlyMemory<byte> AdjustBody(ReadOnlyMemory<byte> body, UpstreamCredential? login, bool stream) => body;

    /// <summary>Client headers this upstream understands and may receive as they are.</summary>
    public virtual IReadOnlyList<string> PassThroughHeaders => [];

    public static UpstreamProtocol For(ProviderKind kind) => kind.Type switch
    {
        "openai" => OpenAIChatProtocol.Instance,
        "anthropic" => AnthropicProtocol.Instance,
        "gemini-api" => GeminiApiProtocol.Instance,
        "claude" => ClaudeOAuthProtocol.Instance,
        "codex" => CodexProtocol.Instance,
        "gemini" => CodeAssistProtocol.Instance,
        "copilot" => CopilotProtocol.Instance,
        _ => throw new NotSupportedException($"provider type {kind.Type} is not served yet"),
    };
}

/// <summary>OpenAI-compatible Chat Completions (<c>base-url</c> ends in <c>/v1</c>), key as a Bearer token.</summary>
internal sealed class OpenAIChatProtocol : UpstreamProtocol
{
    public static readonly OpenAIChatProtocol Instance = new();

    public override Dialect Dialect => Dialect.OpenAIChat;

    public override IReadOnlyList<string> PassThroughHeaders { get; } = ["OpenAI-Beta"];

    public override PathString GeneratePath(string model, bool stream) => "/chat/completions";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        if ((apiKey ?? login?.AccessToken) is { } token)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }
}

/// <summary>Anthropic Messages with an API key: <c>x-api-key</c> (never Bearer) and exactly one <c>anthropic-version</c>.</summary>
internal class AnthropicProtocol : UpstreamProtocol
{
    public const string DefaultVersion = "2023-06-01";

    public static readonly AnthropicProtocol Instance = new();

    public override Dialect Dialect => Dialect.Anthropic;

    public override IReadOnlyList<string> PassThroughHeaders { get; } = ["anthropic-version", "anthropic-beta"];

    public override PathString GeneratePath(string model, bool stream) => "/v1/messages";

    public override PathString? CountTokensPath(string model) => "/v1/messages/count_tokens";

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        if (apiKey is not null)
        {
            headers.Remove("x-api-key");
            headers.TryAddWithoutValidation("x-api-key", apiKey);
        }

        if (!headers.Contains("anthropic-version"))
        {
            headers.TryAddWithoutValidation("anthropic-version", DefaultVersion);
        }
    }
}

/// <summary>Gemini API with a key: model in the path, <c>alt=sse</c> for streams, key as <c>x-goog-api-key</c>.</summary>
internal sealed class GeminiApiProtocol : UpstreamProtocol
{
    public static readonly GeminiApiProtocol Instance = new();

    public override Dialect Dialect => Dialect.Gemini;

    public override bool ModelInBody => false;

    public override PathString GeneratePath(string model, bool stream)
        => $"/v1beta/models/{Uri.EscapeDataString(model)}:{(stream ? "streamGenerateContent" : "generateContent")}";

    public override PathString? CountTokensPath(string model) => $"/v1beta/models/{Uri.EscapeDataString(model)}:countTokens";

    public override void SetQuery(IDictionary<string, Microsoft.Extensions.Primitives.StringValues> query, bool stream)
    {
        if (stream)
        {
            query["alt"] = "sse";
        }
    }

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        if (apiKey is not null)
        {
            headers.Remove("x-goog-api-key");
            headers.TryAddWithoutValidation("x-goog-api-key", apiKey);
        }
    }
}
