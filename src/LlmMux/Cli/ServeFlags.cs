namespace LlmMux.Cli;

/// <summary>The flags of <c>llm-mux serve</c>, already typed by the parser; null means "not given".</summary>
internal sealed record ServeFlags(string? Config = null, string? Host = null, int? Port = null, bool Debug = false);
