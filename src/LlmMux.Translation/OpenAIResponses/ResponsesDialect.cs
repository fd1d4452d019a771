using LlmMux.Translation.Internal;
using LlmMux.Translation.OpenAIChat;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>OpenAI Responses (<c>POST /v1/responses</c>); it streams usage on its closing event unasked.</summary>
internal sealed class ResponsesDialect : OpenAIFamilyDialect
{
    public override Dialect Dialect => Dialect.OpenAIResponses;

    public override IReadOnlyList<DialectRoute> Routes { get; } =
    [
        new("openai-responses", "/v1/responses"),
        new("openai-responses-compact", "/v1/responses/compact", IngressKind.Compaction),
    ];

    internal override IDialectCodec Codec { get; } = new ResponsesCodec();

    internal override UsageScanner CreateUsageScanner() => new ResponsesUsageScan();
}
