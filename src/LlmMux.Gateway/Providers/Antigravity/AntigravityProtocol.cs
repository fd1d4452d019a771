using System.Net.Http.Headers;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Antigravity;

/// <summary>
/// Gemini and Claude through an Antigravity login: the v1internal envelope (<c>{model, project, request}</c>, as
/// Code Assist) with the fields the Antigravity IDE adds (<c>userAgent</c>, <c>requestType</c>, <c>requestId</c>), its
/// identity prompt, and without the <c>safetySettings</c> it does not send.
/// </summary>
internal sealed class AntigravityProtocol : UpstreamProtocol
{
    public static readonly AntigravityProtocol Instance = new();

    /// <summary>The system prompt the Antigravity IDE opens every request with (first sentence).</summary>
    public const string IdentityPrompt =
        "You are Antigravity, a powerful agentic AI coding assistant designed by the Google Deepmind team working on Advanced Agentic Coding.";

    private static readonly BodyField UserAgentField = BodyField.Text("userAgent", "antigravity");
    private static readonly BodyField RequestTypeField = BodyField.Text("requestType", "agent");
    private static readonly PayloadEdit NoSafetySettings = new(PayloadEditKind.Remove, BodyPath.Parse("request.safetySettings", out _)!);

    /// <summary>What Google answers (with HTTP 200, as a text page) a client version it no longer accepts.</summary>
    public const string OutdatedClientText = "no longer supported";

    public override Dialect Dialect => Dialect.GeminiCodeAssist;

    public override bool RefusesClientWithSuccess => true;

    /// <summary>"This version of Antigravity is no longer supported. Please update…": the User-Agent llm-mux sends is too old.</summary>
    public override string? RefusedClient(string body) =>
        body.Contains(OutdatedClientText, StringComparison.OrdinalIgnoreCase)
            ? $"{Truncate(body)} (llm-mux presents itself as {AntigravityIdentity.UserAgent})"
            : null;

    /// <summary>Antigravity's Claude models (<c>claude-sonnet-4-5</c>, <c>claude-opus-4-5-thinking</c>, …).</summary>
    public static bool IsClaude(string? model) => model?.StartsWith("claude", StringComparison.OrdinalIgnoreCase) == true;

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public override PathString GeneratePath(string model, bool stream) => stream ? "/v1internal:streamGenerateContent" : "/v1internal:generateContent";

    public override PathString? CountTokensPath(string model) => "/v1internal:countTokens";

    protected override bool StreamsWithAltSse => true;

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login) =>
        SetBearerAs(headers, login?.AccessToken ?? apiKey, AntigravityIdentity.Headers);

    /// <summary>The account's project whatever the caller's envelope said, the IDE's envelope fields, a fresh request id;
    /// for Claude models the body Claude behind Google takes (<see cref="RequestOverrides.GeminiForClaude"/>).</summary>
    public override RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) => request with
    {
        GeminiForClaude = IsClaude(request.Model),
        CodeAssistProject = (login?.Details as AntigravityDetails)?.ProjectId ?? request.CodeAssistProject,
        SystemPrefix = IdentityPrompt,
        ForceFields = [.. request.ForceFields, UserAgentField, RequestTypeField, BodyField.Text("requestId", "agent-" + Guid.NewGuid().ToString("D"))],
        PayloadEdits = [NoSafetySettings, .. request.PayloadEdits],
    };
}
