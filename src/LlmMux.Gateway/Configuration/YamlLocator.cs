using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Configuration;

/// <summary>Finds the line of a key path like <c>providers[1].base-url</c> so semantic errors can name it.</summary>
internal sealed class YamlLocator
{
    private readonly YamlNode _root;

    public YamlLocator(YamlNode root) => _root = root;

    public long? LineOf(string path)
    {
        YamlNode? node = _root;
        long? line = null;
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment;
            int? index = null;
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = segment[..bracket];
                index = int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            }

            if (node is not YamlMappingNode map)
            {
                break;
            }

            var key = map.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == name);
            if (key is null)
            {
                break;
            }

            line = key.Start.Line;
            node = map.Children[key];
            if (index is { } i)
            {
                if (node is not YamlSequenceNode seq || i >= seq.Children.Count)
                {
                    break;
                }

                node = seq.Children[i];
                line = node.Start.Line;
            }
        }

        return line;
    }
}
