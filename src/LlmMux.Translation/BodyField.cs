using System.Text.Json;

namespace LlmMux.Translation;

/// <summary>A top-level body field and its value as JSON text, for <see cref="RequestOverrides.ForceFields"/> and
/// <see cref="RequestOverrides.DefaultFields"/>.</summary>
public sealed record BodyField(string Name, string Json)
{
    public static BodyField Text(string name, string value) => new(name, "\"" + JsonEncodedText.Encode(value) + "\"");

    public static BodyField Flag(string name, bool value) => new(name, value ? "true" : "false");
}
