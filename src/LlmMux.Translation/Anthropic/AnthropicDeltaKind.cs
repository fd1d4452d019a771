namespace LlmMux.Translation.Anthropic;

/// <summary>Which field a content delta carries (see <see cref="AnthropicFastScan"/>).</summary>
internal enum AnthropicDeltaKind
{
    None,
    Text,
    InputJson,
    Thinking,
    Signature,
}
