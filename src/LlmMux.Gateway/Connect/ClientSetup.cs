namespace LlmMux.Gateway.Connect;

/// <summary>Where a client should send its requests: the gateway's root URL, the client key (null: none needed), a model.</summary>
public sealed record ConnectTarget(string BaseUrl, string? Key, string? Model);

/// <summary>
/// Everything one client needs to use the gateway (<see cref="ClientSetups"/>): environment variables, settings file
/// fragments that are merged into the client's own files, notes in plain words, and code snippets (SDKs).
/// </summary>
public sealed record ClientSetup(
    string Client,
    string Title,
    IReadOnlyList<EnvVar> Environment,
    IReadOnlyList<SettingsFile> Files,
    IReadOnlyList<string> Notes,
    IReadOnlyList<Snippet> Snippets);

public sealed record EnvVar(string Name, string Value);

/// <summary>
/// A fragment of a client's settings file: <see cref="Path"/> starts with <c>~/</c> (the user's home);
/// <see cref="Format"/> is <c>json</c> (deep-merged), <c>toml</c> (root keys and whole tables replaced) or
/// <c>dotenv</c> (variables replaced). See <see cref="SettingsMerge"/>.
/// </summary>
public sealed record SettingsFile(string Path, string Format, string Content);

public sealed record Snippet(string Language, string Code);
