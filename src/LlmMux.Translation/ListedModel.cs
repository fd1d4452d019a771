namespace LlmMux.Translation;

/// <summary>A model the gateway lists, and the provider that serves it first.</summary>
/// <param name="DisplayName">What a list with a display name shows (Anthropic's <c>display_name</c>); the id when null.</param>
public readonly record struct ListedModel(string Id, string Provider, string? DisplayName = null);
