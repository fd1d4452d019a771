namespace LlmMux.Gateway.Providers.OpenAI;

/// <summary>OpenAI, or any OpenAI-compatible server, with API keys: Chat Completions.</summary>
internal sealed class OpenAIProviderType : ProviderType
{
    public static readonly OpenAIProviderType Instance = new();

    public override string Type => "openai";

    public override string DefaultBaseUrl => "https://api.openai.com/v1";

    public override UpstreamProtocol Protocol => OpenAIChatProtocol.Instance;

    public override ModelCatalogue Catalogue { get; } = new(["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini"], ["gpt-", "o1", "o3", "o4", "chatgpt-", "text-embedding-", "dall-e-"]);

    /// <summary>OpenAI-compatible servers (vLLM, Ollama) often need no key: an empty list is one keyless account.</summary>
    public override bool KeyOptional => true;

    /// <summary>Only OpenAI itself serves OpenAI's families; any other compatible server serves what its config lists.</summary>
    public override bool CatalogueApplies(string baseUrl) => baseUrl == DefaultBaseUrl;
}
