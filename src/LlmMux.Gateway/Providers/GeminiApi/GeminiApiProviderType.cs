namespace LlmMux.Gateway.Providers.GeminiApi;

/// <summary>The Gemini API with API keys.</summary>
internal sealed class GeminiApiProviderType : ProviderType
{
    public static readonly GeminiApiProviderType Instance = new();

    public override string Type => "gemini-api";

    public override string DefaultBaseUrl => "https://generativelanguage.googleapis.com";

    public override UpstreamProtocol Protocol => GeminiApiProtocol.Instance;

    public override ModelCatalogue Catalogue { get; } = new(["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview"], ["gemini-"]);
}
