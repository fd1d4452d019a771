using LlmMux.Gateway.Providers;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Operations;

/// <summary>Which provider type serves which operation beyond chat, and where: the table of docs/api.md.</summary>
public sealed class OperationPathTests
{
    public static TheoryData<string, IngressKind, string?> Table => new()
    {
        { "openai", IngressKind.Embeddings, "/embeddings" },
        { "openai", IngressKind.ImageGeneration, "/images/generations" },
        { "openai", IngressKind.Compaction, "/responses/compact" },
        { "gemini-api", IngressKind.Embeddings, "/v1beta/models/gemini-embedding-001:batchEmbedContents" },
        { "gemini-api", IngressKind.ImageGeneration, "/v1beta/models/gemini-embedding-001:generateContent" },
        { "gemini-api", IngressKind.Compaction, null },
        { "copilot", IngressKind.Embeddings, "/embeddings" },
        { "copilot", IngressKind.ImageGeneration, null },
        { "copilot", IngressKind.Compaction, null },
        { "codex", IngressKind.Embeddings, null },
        { "codex", IngressKind.ImageGeneration, null },
        { "codex", IngressKind.Compaction, "/responses/compact" },
        { "anthropic", IngressKind.Embeddings, null },
        { "anthropic", IngressKind.ImageGeneration, null },
        { "anthropic", IngressKind.Compaction, null },
        { "claude", IngressKind.Embeddings, null },
        { "claude", IngressKind.ImageGeneration, null },
        { "claude", IngressKind.Compaction, null },
        { "gemini", IngressKind.Embeddings, null },
        { "gemini", IngressKind.ImageGeneration, null },
        { "gemini", IngressKind.Compaction, null },
        { "antigravity", IngressKind.Embeddings, null },
        { "antigravity", IngressKind.ImageGeneration, null },
        { "antigravity", IngressKind.Compaction, null },
        { "vertex", IngressKind.Embeddings, null },
        { "vertex", IngressKind.ImageGeneration, null },
        { "vertex", IngressKind.Compaction, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_type_serves_exactly_its_operations(string type, IngressKind operation, string? path)
    {
        var served = ProviderTypes.Get(type).Protocol.OperationPath(operation, "gemini-embedding-001");

        // No value means "not served"; a PathString without a value (a null string converts to one) would send the
        // request to the provider's base URL.
        Assert.Equal(path is not null, served.HasValue);
        Assert.Equal(path, served?.Value);
    }

    [Fact]
    public void The_table_covers_every_provider_type()
    {
        Assert.Equal(ProviderTypes.All.Select(t => t.Type).Order(), Table.Select(row => (string)row[0]).Distinct().Order());
    }
}
