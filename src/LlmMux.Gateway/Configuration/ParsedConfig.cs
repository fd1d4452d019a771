using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Configuration;

/// <summary>A config text read and validated once, with its YAML tree (null for an empty file).</summary>
internal sealed record ParsedConfig(string Text, LlmMuxOptions Options, YamlNode? Root);
