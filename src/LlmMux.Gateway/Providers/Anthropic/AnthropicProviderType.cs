namespace LlmMux.Gateway.Providers.Anthropic;

/// <summary>Anthropic with API keys: Messages.</summary>
internal sealed class AnthropicProviderType : ProviderType
{
    public static readonly AnthropicProviderType Instance = new();

    public override string Type => "anthropic";

    public override string DefaultBaseUrl => "https://api.anthropic.com";

    public override UpstreamProtocol Protocol => AnthropicProtocol.Instance;

    public override ModelCatalogue Catalogue { get; } = new(["claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4"], ["claude-"]);
}
