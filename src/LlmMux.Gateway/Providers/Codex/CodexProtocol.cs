using System.Collections.Immutable;
using System.Net.Http.Headers;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Refresh;
using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Providers.Codex;

/// <summary>
/// ChatGPT (Codex) plans: OpenAI Responses to the ChatGPT backend, which only streams and wants <c>store:false</c>,
/// <c>instructions</c> and none of the parameters it rejects.
/// </summary>
internal sealed class CodexProtocol : UpstreamProtocol
{
    public static readonly CodexProtocol Instance = new();

    /// <summary>Parameters the ChatGPT backend answers with 400 "Unsupported parameter".</summary>
    private static readonly ImmutableArray<string> Unsupported =
        ["stream_options", "previous_response_id", "prompt_cache_retention", "safety_identifier", "max_output_tokens", "temperature", "top_p", "user", "metadata"];

    private static readonly ImmutableArray<BodyField> Forced = [BodyField.Flag("store", false), BodyField.Flag("stream", true)];

    private static readonly ImmutableArray<BodyField> Defaults = [BodyField.Text("instructions", "You are a helpful assistant.")];

    public override Dialect Dialect => Dialect.OpenAIResponses;

    public override bool AlwaysStreams => true;

    public override PathString GeneratePath(string model, bool stream) => "/responses";

    /// <summary>Codex CLI's remote compaction: one JSON answer, not a stream.</summary>
    public override PathString? OperationPath(IngressKind operation, string model) => operation == IngressKind.Compaction ? new PathString("/responses/compact") : (PathString?)null;

    public override void SetCredential(HttpRequestHeaders headers, string? apiKey, UpstreamCredential? login)
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", login?.AccessToken ?? apiKey);
        headers.Remove("OpenAI-Beta");
        headers.TryAddWithoutValidation("OpenAI-Beta", "responses=experimental");
        headers.TryAddWithoutValidation("Originator", "codex_cli_rs");
        headers.Accept.Clear();
        headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (login?.Details is CodexDetails { ChatGptAccountId: var accountId })
        {
            headers.TryAddWithoutValidation("Chatgpt-Account-Id", accountId);
        }
    }

    public override RequestOverrides BodyOverrides(RequestOverrides request, UpstreamCredential? login, bool stream) =>
        request with { RemoveFields = Unsupported, ForceFields = Forced, DefaultFields = Defaults };
}
