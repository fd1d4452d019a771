namespace LlmMux.Accounts.Providers.Vertex;

/// <summary>A Vertex AI account's Google Cloud project (the key's <c>project_id</c>), used in every request path.</summary>
public sealed record VertexDetails(string ProjectId) : ProviderDetails;
