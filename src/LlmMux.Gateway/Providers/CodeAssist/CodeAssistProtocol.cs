using System.Net.Http.Headers;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.CodeAssist;

/// <summary>Gemini through a Google login: the Code Assist envelope with the account's project id.</summary>
internal sealed class CodeAssistProtocol : UpstreamProtocol
{
    public static readonly CodeAssistProtocol Instance = new();

    public override Dialect Dialect => Dialect.GeminiCodeAssist;

    public override PathString GeneratePath(string model, bool stream) => stream ? "/v1internal:streamGenerateContent" : "/v1internal:generateContent";

    public override PathString? CountTokensPath(string model) => "/v1internal:countTokens";

    protected override bool StreamsWithAltSse => true;

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        SetBearerAs(headers, login?.AccessToken ?? apiKey, CodeAssistIdentity.Headers);
    }

    /// <summary>What Code Assist answers an individual's account since Google retired it (2026-06-18).</summary>
    public const string IndividualsRetiredText = "no longer supported for Gemini Code Assist for individuals";

    /// <summary>What an account answered with <see cref="IndividualsRetiredText"/> is marked with.</summary>
    public const string IndividualsRetiredReason =
        "Google no longer serves Gemini Code Assist for individuals to this account; sign it in with `llm-mux login antigravity` (licensed Code Assist Standard/Enterprise accounts keep working here).";

    public override bool RetiresAccounts => true;

    /// <summary>An individual's (free, Google One) account: Google points it to Antigravity; licensed accounts never get this.</summary>
    public override string? RetiredAccount(int status, string detail) =>
        status is 400 or 403 && detail.Contains(IndividualsRetiredText, StringComparison.OrdinalIgnoreCase) ? IndividualsRetiredReason : null;

    /// <summary>The project is the account's, whatever the caller's envelope said.</summary>
    public override RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) =>
        login?.Details is GeminiDetails { ProjectId: var project } ? request with { CodeAssistProject = project } : request;
}
