namespace LlmMux.Translation;

/// <summary>A model the gateway lists, and the provider that serves it first.</summary>
public readonly record struct ListedModel(string Id, string Provider);
