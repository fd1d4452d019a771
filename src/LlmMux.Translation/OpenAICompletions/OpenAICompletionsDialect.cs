using LlmMux.Translation.Internal;
using LlmMux.Translation.OpenAIChat;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary>OpenAI's legacy Completions (<c>POST /v1/completions</c>); its usage object is Chat's.</summary>
internal sealed class OpenAICompletionsDialect : OpenAIFamilyDialect
{
    public override Dialect Dialect => Dialect.OpenAICompletions;

    public override IReadOnlyList<DialectRoute> Routes { get; } = [new("openai-completions", "/v1/completions")];

    public override bool UsageChunkOnRequest => true;

    internal override IDialectCodec Codec { get; } = new OpenAICompletionsCodec();

    internal override UsageScanner CreateUsageScanner() => new OpenAIChatUsageScan();
}
