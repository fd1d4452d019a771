using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Configuration;

/// <summary>Reads <c>llm-mux.yaml</c> text into <see cref="LlmMuxOptions"/>, then validates it.</summary>
public static class ConfigLoader
{
    /// <param name="yaml">The file's text.</param>
    /// <param name="sourceName">How errors name the file (its path, or "embedded default").</param>
    /// <exception cref="ConfigException">The text is not a valid config; every error names key and line.</exception>
    public static LlmMuxOptions Parse(string yaml, string sourceName) => Read(yaml, sourceName).Options;

    /// <summary><see cref="Parse"/>, keeping the YAML tree for what else needs the file (rewriting the secret in place).</summary>
    /// <exception cref="ConfigException">The text is not a valid config.</exception>
    internal static ParsedConfig Read(string yaml, string sourceName)
    {
        YamlNode? root;
        LlmMuxOptions options;
        try
        {
            root = YamlText.Load(yaml);
            options = ConfigYamlReader.Read(root);
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{sourceName}: line {ex.Start.Line}, column {ex.Start.Column}: {Describe(ex)}");
        }

        var errors = ConfigValidator.Validate(options);
        if (errors.Count > 0)
        {
            var locator = root is null ? null : new YamlLocator(root);
            throw new ConfigException(errors.Select(e => Locate(e, locator, sourceName)).ToList());
        }

        return new ParsedConfig(yaml, options, root);
    }

    public static LlmMuxOptions Load(string path) => Parse(File.ReadAllText(path), path);

    private static string Locate(ConfigError error, YamlLocator? locator, string sourceName)
        => locator?.LineOf(error.Path) is { } line
            ? $"{sourceName}: line {line}: {error.Path}: {error.Message}"
            : $"{sourceName}: {error.Path}: {error.Message}";

    private static string Describe(YamlException ex)
    {
        // The parser wraps some causes; the innermost message is the one that names the problem.
        var inner = ex;
        while (inner.InnerException is YamlException next)
        {
            inner = next;
        }

        return inner.InnerException?.Message ?? inner.Message;
    }
}
