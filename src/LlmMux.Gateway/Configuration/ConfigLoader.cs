using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmMux.Gateway.Configuration;

/// <summary>Reads <c>llm-mux.yaml</c> text into <see cref="LlmMuxOptions"/>, then validates it.</summary>
public static partial class ConfigLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(HyphenatedNamingConvention.Instance)
        .WithTypeConverter(new DurationYamlConverter())
        .WithTypeConverter(new ModelEntryYamlConverter())
        .Build();

    /// <param name="yaml">The file's text.</param>
    /// <param name="sourceName">How errors name the file (its path, or "embedded default").</param>
    /// <exception cref="ConfigException">The text is not a valid config; every error names key and line.</exception>
    public static LlmMuxOptions Parse(string yaml, string sourceName)
    {
        LlmMuxOptions? options;
        try
        {
            options = Deserializer.Deserialize<LlmMuxOptions?>(yaml);
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{sourceName}: line {ex.Start.Line}, column {ex.Start.Column}: {Describe(ex)}");
        }

        options ??= new LlmMuxOptions();
        var errors = ConfigValidator.Validate(options);
        if (errors.Count > 0)
        {
            var locator = YamlLocator.TryCreate(yaml);
            throw new ConfigException(errors.Select(e => Locate(e, locator, sourceName)).ToList());
        }

        return options;
    }

    public static LlmMuxOptions Load(string path) => Parse(File.ReadAllText(path), path);

    private static string Locate(ConfigError error, YamlLocator? locator, string sourceName)
        => locator?.LineOf(error.Path) is { } line
            ? $"{sourceName}: line {line}: {error.Path}: {error.Message}"
            : $"{sourceName}: {error.Path}: {error.Message}";

    private static string Describe(YamlException ex)
    {
        // YamlDotNet wraps the real cause; surface the innermost message and translate the common ones into key terms.
        var inner = ex;
        while (inner.InnerException is YamlException next)
        {
            inner = next;
        }

        var message = inner.InnerException?.Message ?? inner.Message;
        var unknown = UnknownProperty().Match(message);
        if (unknown.Success)
        {
            return $"unknown key '{HyphenatedNamingConvention.Instance.Apply(unknown.Groups[1].Value)}'";
        }

        if (inner.InnerException is FormatException or OverflowException or InvalidCastException)
        {
            return $"wrong type: {message}";
        }

        return message;
    }

    [GeneratedRegex("Property '([^']+)' not found on type")]
    private static partial Regex UnknownProperty();
}
