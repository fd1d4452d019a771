using LlmMux.Translation.Internal;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>).</summary>
internal sealed class OpenAIChatDialect : OpenAIFamilyDialect
{
    public override Dialect Dialect => Dialect.OpenAIChat;

    public override IReadOnlyList<DialectRoute> Routes { get; } =
    [
        new("openai-chat", "/v1/chat/completions"),
        new("openai-embeddings", "/v1/embeddings", IngressKind.Embeddings),
        new("openai-images", "/v1/images/generations", IngressKind.ImageGeneration),
    ];

    public override bool UsageChunkOnRequest => true;

    internal override IDialectCodec Codec { get; } = new OpenAIChatCodec();

    internal override UsageScanner CreateUsageScanner() => new OpenAIChatUsageScan();
}
