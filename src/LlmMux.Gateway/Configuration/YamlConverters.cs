using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace LlmMux.Gateway.Configuration;

/// <summary>Durations as people write them: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>250ms</c>, or a bare number of seconds.</summary>
internal sealed class DurationYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(TimeSpan);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();
        if (TryParse(scalar.Value, out var value))
        {
            return value;
        }

        throw new YamlException(scalar.Start, scalar.End, $"expected a duration such as 30s, 5m or 1h, got '{scalar.Value}'");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer)
        => emitter.Emit(new Scalar(((TimeSpan)value!).TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"));

    internal static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            value = TimeSpan.FromSeconds(n * scale);
            return true;
        }

        value = default;
        return false;
    }
}

/// <summary>A <c>models</c> item is either <c>"name"</c> or <c>{ name: upstream, alias: client-name }</c>.</summary>
internal sealed class ModelEntryYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(ModelEntry);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return new ModelEntry(scalar.Value);
        }

        var start = parser.Consume<MappingStart>();
        string? name = null, alias = null;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            var value = parser.Consume<Scalar>();
            switch (key.Value)
            {
                case "name": name = value.Value; break;
                case "alias": alias = value.Value; break;
                default: throw new YamlException(key.Start, key.End, $"unknown key '{key.Value}' in a model entry (expected name, alias)");
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new YamlException(start.Start, start.End, "a model entry needs 'name'");
        }

        return new ModelEntry(name, string.IsNullOrWhiteSpace(alias) ? null : alias);
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer)
        => throw new NotSupportedException();
}
