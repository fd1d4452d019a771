namespace LlmMux.Gateway.Configuration;

/// <summary>A config file that cannot be used; every message names the key and, where known, the line.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors)) => Errors = errors;

    public ConfigException(string error) : this([error]) { }

    public ConfigException() : this("invalid configuration") { }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}
