using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmMux.Translation.Tests.Support;

/// <summary>Seeded damage for fuzzing: byte-level (bit flips, truncation, duplicated slices, noise) and structural
/// (a JSON value replaced by another type, a huge number, deep nesting, or removed). Streams are damaged event by
/// event, so most mutations reach the decoders instead of the framer.</summary>
internal sealed class Mutator(int seed)
{
    private const string Hole = "\u0001hole\u0001";

    private static readonly string[] Replacements =
    [
        "null", "true", "false", "0", "-1", "1.5", "2147483647", "1000000000", "-2147483648", "-0", "1e308", "1e400", "-1e400", "2147483648", "-9223372036854775809",
        "123456789012345678901234567890123456789", "0.0000000000000000000000000000000000000001", "\"\"", "\"x\"",
        "\"\\ud800\"", "\"\\u0000\"", "[]", "{}", "[null]", "[1,\"a\",{}]", "{\"type\":\"text\"}", "{\"type\":5}",
        "\"function_call\"", "\"tool_use\"", "\"text\"", "\"assistant\"", "\"tool\"", "\"model\"", "\"user\"",
    ];

    private static readonly JsonSerializerOptions WriteOptions = new() { MaxDepth = 4096 };

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public byte[] Damage(byte[] input, bool stream)
    {
        var bytes = input;
        int edits = _random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            bytes = _random.Next(10) switch
            {
                < 5 => stream ? MutateOneEvent(bytes) : MutateJson(bytes),
                _ => MutateBytes(bytes),
            };
        }

        return bytes;
    }

    /// <summary>Feeds <paramref name="input"/> in a few random pieces.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Pieces(byte[] input)
    {
        int at = 0;
        while (at < input.Length)
        {
            int n = _random.Next(4) == 0 ? input.Length - at : Math.Min(input.Length - at, _random.Next(1, 512));
            yield return input.AsMemory(at, n);
            at += n;
        }
    }

    private byte[] MutateBytes(byte[] input)
    {
        if (input.Length < 2)
        {
            return input;
        }

        var bytes = input.ToList();
        int at = _random.Next(bytes.Count);
        switch (_random.Next(5))
        {
            case 0:
                bytes[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 2:
                int length = Math.Min(bytes.Count - at, _random.Next(1, 64));
                bytes.InsertRange(_random.Next(bytes.Count), bytes.GetRange(at, length));
                break;
            case 3:
                bytes.InsertRange(at, Encoding.ASCII.GetBytes(new string(_random.Next(2) == 0 ? '[' : '{', _random.Next(1, 400))));
                break;
            default:
                bytes.Insert(at, (byte)_random.Next(256));
                break;
        }

        return [.. bytes];
    }

    /// <summary>Structural damage to one SSE data payload or NDJSON line (or the whole body of a JSON-array stream).</summary>
    private byte[] MutateOneEvent(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (text.TrimStart().StartsWith('['))
        {
            return MutateJson(input);
        }

        var lines = text.Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i => lines[i].TrimStart().StartsWith('{') || lines[i].StartsWith("data: {", StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            return MutateBytes(input);
        }

        int pick = candidates[_random.Next(candidates.Count)];
        var line = lines[pick].TrimEnd('\r');
        var prefix = line.StartsWith("data: ", StringComparison.Ordinal) ? "data: " : "";
        var mutated = MutateJson(Encoding.UTF8.GetBytes(line[prefix.Length..]));
        lines[pick] = prefix + Encoding.UTF8.GetString(mutated).Replace("\n", "", StringComparison.Ordinal) + (lines[pick].EndsWith('\r') ? "\r" : "");
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private byte[] MutateJson(byte[] input)
    {
        try
        {
            return MutateNode(input);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return MutateBytes(input); // already broken by an earlier edit (bad JSON, bad UTF-8, duplicate keys)
        }
    }

    private byte[] MutateNode(byte[] input)
    {
        var root = JsonNode.Parse(input, documentOptions: new JsonDocumentOptions { MaxDepth = 4096 });

        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        if (nodes.Count == 0)
        {
            return MutateBytes(input);
        }

        var target = nodes[_random.Next(nodes.Count)];
        var replacement = _random.Next(8) switch
        {
            0 => Deep(_random.Next(4) switch { 0 => 100, 1 => 250, 2 => 257, _ => 1000 }),
            1 => target.ToJsonString(WriteOptions), // the same value twice over (duplicated element or key)
            _ => Replacements[_random.Next(Replacements.Length)],
        };

        string json;
        if (target.Parent is null)
        {
            json = replacement;
        }
        else if (_random.Next(6) == 0)
        {
            Remove(target);
            json = root!.ToJsonString(WriteOptions);
        }
        else if (target.Parent is JsonArray array && _random.Next(3) == 0)
        {
            array.Insert(array.IndexOf(target), Hole); // an extra element next to it
            json = root!.ToJsonString(WriteOptions).Replace($"\"{Hole}\"", replacement, StringComparison.Ordinal);
        }
        else
        {
            target.ReplaceWith(Hole);
            json = root!.ToJsonString(WriteOptions).Replace($"\"{Hole}\"", replacement, StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(json);
    }

    private string Deep(int depth) => _random.Next(2) == 0
        ? new string('[', depth) + new string(']', depth)
        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null)
        {
            return;
        }

        into.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    Collect(v, into);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Collect(v, into);
                }

                break;
        }
    }

    private static void Remove(JsonNode node)
    {
        switch (node.Parent)
        {
            case JsonObject o:
                o.Remove(o.First(p => ReferenceEquals(p.Value, node)).Key);
                break;
            case JsonArray a:
                a.Remove(node);
                break;
        }
    }
}
