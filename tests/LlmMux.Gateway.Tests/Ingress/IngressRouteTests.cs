using LlmMux.Gateway.Ingress;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Ingress;

/// <summary>The public LLM routes come from the dialect descriptors; their ids, paths and behaviour are the contract.</summary>
public sealed class IngressRouteTests
{
    [Fact]
    public void The_routes_are_exactly_the_published_ones()
    {
        var expected = new (string Id, string Path, Dialect Dialect, IngressKind Kind, bool StreamsByDefault, bool LoopbackOnly)[]
        {
            ("ingress:anthropic-count-tokens", "/v1/messages/count_tokens", Dialect.Anthropic, IngressKind.CountTokens, false, false),
            ("ingress:anthropic-messages", "/v1/messages", Dialect.Anthropic, IngressKind.Generate, false, false),
            ("ingress:code-assist-count-tokens", "/v1internal:countTokens", Dialect.GeminiCodeAssist, IngressKind.CountTokens, false, true),
            ("ingress:code-assist-generate", "/v1internal:generateContent", Dialect.GeminiCodeAssist, IngressKind.Generate, false, true),
            ("ingress:code-assist-stream", "/v1internal:streamGenerateContent", Dialect.GeminiCodeAssist, IngressKind.StreamingGenerate, false, true),
            ("ingress:gemini-v1", "/v1/models/{**action}", Dialect.Gemini, IngressKind.GeminiModelAction, false, false),
            ("ingress:gemini-v1alpha", "/v1alpha/models/{**action}", Dialect.Gemini, IngressKind.GeminiModelAction, false, false),
            ("ingress:gemini-v1beta", "/v1beta/models/{**action}", Dialect.Gemini, IngressKind.GeminiModelAction, false, false),
            ("ingress:ollama-chat", "/api/chat", Dialect.Ollama, IngressKind.Generate, true, false),
            ("ingress:ollama-chat-prefixed", "/ollama/api/chat", Dialect.Ollama, IngressKind.Generate, true, false),
            ("ingress:ollama-embed", "/api/embed", Dialect.Ollama, IngressKind.Embeddings, false, false),
            ("ingress:ollama-embed-prefixed", "/ollama/api/embed", Dialect.Ollama, IngressKind.Embeddings, false, false),
            ("ingress:ollama-embeddings", "/api/embeddings", Dialect.Ollama, IngressKind.SingleEmbedding, false, false),
            ("ingress:ollama-embeddings-prefixed", "/ollama/api/embeddings", Dialect.Ollama, IngressKind.SingleEmbedding, false, false),
            ("ingress:ollama-generate", "/api/generate", Dialect.OllamaGenerate, IngressKind.Generate, true, false),
            ("ingress:ollama-generate-prefixed", "/ollama/api/generate", Dialect.OllamaGenerate, IngressKind.Generate, true, false),
            ("ingress:openai-chat", "/v1/chat/completions", Dialect.OpenAIChat, IngressKind.Generate, false, false),
            ("ingress:openai-completions", "/v1/completions", Dialect.OpenAICompletions, IngressKind.Generate, false, false),
            ("ingress:openai-embeddings", "/v1/embeddings", Dialect.OpenAIChat, IngressKind.Embeddings, false, false),
            ("ingress:openai-images", "/v1/images/generations", Dialect.OpenAIChat, IngressKind.ImageGeneration, false, false),
            ("ingress:openai-responses", "/v1/responses", Dialect.OpenAIResponses, IngressKind.Generate, false, false),
            ("ingress:openai-responses-compact", "/v1/responses/compact", Dialect.OpenAIResponses, IngressKind.Compaction, false, false),
        };

        Assert.Equal(expected, IngressRoute.All.Select(r => (r.RouteId, r.Path, r.Format, r.Kind, r.StreamsByDefault, r.LoopbackOnly)));
        Assert.All(IngressRoute.All, r => Assert.Same(r, IngressRoute.Find(r.RouteId)));
        Assert.Null(IngressRoute.Find("ingress:nope"));
    }
}
