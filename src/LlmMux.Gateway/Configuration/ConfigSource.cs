namespace LlmMux.Gateway.Configuration;

/// <summary>Where the config comes from: a file that is watched for changes, or fixed text (the embedded default).</summary>
public sealed record ConfigSource
{
    private ConfigSource(string? path, string? text, string displayName)
    {
        FilePath = path;
        Text = text;
        DisplayName = displayName;
    }

    public string? FilePath { get; }

    public string? Text { get; }

    public string DisplayName { get; }

    public static ConfigSource File(string path) => new(Path.GetFullPath(path), null, path);

    public static ConfigSource Inline(string yaml, string displayName) => new(null, yaml, displayName);

    public string ReadText() => FilePath is null ? Text! : System.IO.File.ReadAllText(FilePath);
}
