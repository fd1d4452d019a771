using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LlmMux.Gateway.Providers.CodeAssist;

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
        SetBearerAs(headers, login?.AccessToken ?? apiKey, CodeAssistIdentity.Headers);
    }

    /// <summary>The project is the account's, whatever the caller's envelope said.</summary>
    public override ReadOnlyMemory<byte> AdjustBody(ReadOnlyMemory<byte> body, UpstreamCredential? login, bool stream)
    {
        if (login?.Details is not GeminiDetails { ProjectId: var project } || JsonNode.Parse(body.Span) is not JsonObject json)
        {
            return body;
        }

        json["project"] = project;
        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
