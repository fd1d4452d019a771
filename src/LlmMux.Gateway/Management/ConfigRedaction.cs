using System.Text.RegularExpressions;
using LlmMux.Gateway.Configuration;
using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Management;

/// <summary>
/// Config text as the management API shows it: every secret replaced by <c>&lt;redacted:key-1a2b3c4d&gt;</c> (the id is the
/// API-key account id scheme: 8 hex digits of the secret's SHA-256), and the way back, where a marker that comes back
/// in a <c>PUT</c> stands for the current file's secret with that id. Text outside the secrets is kept as written.
/// </summary>
internal static partial class ConfigRedaction
{
    private const string Unreadable = "# The config file on disk does not parse (see last_reload_error), so its secrets cannot be\n# located and it is not shown.\n";

    /// <summary>What the text of the file shows in GET /config.</summary>
    public static string Redact(string text)
    {
        YamlNode? root;
        try
        {
            root = YamlText.Load(text);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return Unreadable;
        }

        var replacements = new List<(YamlScalarNode, string)>();
        foreach (var (node, reaches) in SecretPlaces(root))
        {
            var value = node.Value ?? "";
            var redacted = reaches.Any(r => r.Kind == SecretKind.Whole)
                ? Marker(value)
                : UserInfo(value) is { } userInfo ? value[..userInfo.Start] + Marker(value.Substring(userInfo.Start, userInfo.Length)) + value[(userInfo.Start + userInfo.Length)..] : null;
            if (value.Length > 0 && redacted is not null)
            {
                replacements.Add((node, redacted));
            }
        }

        return YamlText.Replace(text, replacements);
    }

    /// <summary>Every secret value the text holds (for restoring markers and scrubbing messages); none when it does not parse.</summary>
    public static IReadOnlyList<string> Secrets(string text)
    {
        YamlNode? root;
        try
        {
            root = YamlText.Load(text);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return [];
        }

        var secrets = new List<string>();
        foreach (var (node, reaches) in SecretPlaces(root))
        {
            var value = node.Value ?? "";
            if (reaches.Any(r => r.Kind == SecretKind.Whole))
            {
                secrets.Add(value);
            }
            else if (UserInfo(value) is { } userInfo)
            {
                secrets.Add(value.Substring(userInfo.Start, userInfo.Length));
            }
        }

        return secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// <paramref name="text"/> with each marker replaced by the secret of <paramref name="secrets"/> it names. A marker
    /// may only stand where a secret goes: copied into a model name, an alias or a header anyone can read, it would
    /// hand the secret out.
    /// </summary>
    /// <exception cref="ConfigException">A marker names no current secret, or stands where no secret goes.</exception>
    public static string Restore(string text, IReadOnlyList<string> secrets, string sourceName)
    {
        if (!text.Contains("<redacted:", StringComparison.Ordinal))
        {
            return text;
        }

        YamlNode? root;
        try
        {
            root = YamlText.Load(text);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return text; // the loader reports the syntax error with its position
        }

        var byId = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            // Two secrets with one id (32 bits can be made to collide) would let a marker pick the wrong one: neither is restored.
            var id = IdOf(secret);
            byId[id] = byId.TryGetValue(id, out var other) && other != secret ? null : secret;
        }

        var places = SecretPlaces(root, includeAll: true);
        var errors = new List<string>();
        var replacements = new List<(YamlScalarNode, string)>();
        foreach (var (node, reaches) in places)
        {
            var value = node.Value ?? "";
            if (!value.Contains("<redacted:", StringComparison.Ordinal))
            {
                continue;
            }

            var where = $"{sourceName}: line {node.Start.Line}: {reaches[0].Path}";
            if (reaches.Any(r => r.Kind == SecretKind.None))
            {
                errors.Add($"{where}: a redaction marker can only stand where a secret goes (api-keys, client-secret, secret-key, credential headers, the user:password of a URL)");
                continue;
            }

            if (reaches.All(r => r.Kind == SecretKind.UserInfo) && !MarkersWithin(value, UserInfo(value)))
            {
                errors.Add($"{where}: a redaction marker can only stand for the user:password part of this URL");
                continue;
            }

            var restored = MarkerPattern().Replace(value, m =>
            {
                if (byId.TryGetValue(m.Groups[1].Value, out var secret) && secret is not null)
                {
                    return secret;
                }

                errors.Add(secret is null && byId.ContainsKey(m.Groups[1].Value)
                    ? $"{where}: redaction marker {m.Value} stands for more than one secret in the current file; write the secret itself"
                    : $"{where}: redaction marker {m.Value} matches no secret in the current file");
                return m.Value;
            });
            replacements.Add((node, restored));
        }

        return errors.Count > 0 ? throw new ConfigException(errors) : YamlText.Replace(text, replacements);
    }

    private static bool MarkersWithin(string value, (int Start, int Length)? range)
        => range is { } r && MarkerPattern().Matches(value).All(m => m.Index >= r.Start && m.Index + m.Length <= r.Start + r.Length);

    /// <summary><paramref name="message"/> with every one of <paramref name="secrets"/> replaced by its marker.</summary>
    public static string Scrub(string message, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets.OrderByDescending(s => s.Length))
        {
            message = message.Replace(secret, Marker(secret), StringComparison.Ordinal);
        }

        return message;
    }

    public static string Marker(string secret) => $"<redacted:{IdOf(secret)}>";

    private static string IdOf(string secret) => GatewaySnapshot.AccountIdFor(secret);

    /// <summary>
    /// Each scalar with every path that reaches it (an alias reaches one node from several places). Without
    /// <paramref name="includeAll"/>, only scalars that at least one secret place reaches.
    /// </summary>
    private static List<(YamlScalarNode Node, List<Reach> Reaches)> SecretPlaces(YamlNode? root, bool includeAll = false)
    {
        var reached = new Dictionary<YamlScalarNode, List<Reach>>(ReferenceEqualityComparer.Instance);
        var order = new List<YamlScalarNode>();
        void Visit(YamlNode node, List<string> shape, string path)
        {
            switch (node)
            {
                case YamlScalarNode scalar:
                    if (!reached.TryGetValue(scalar, out var list))
                    {
                        reached[scalar] = list = [];
                        order.Add(scalar);
                    }

                    list.Add(new Reach(path, Classify(shape)));
                    break;
                case YamlSequenceNode sequence:
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        shape.Add("[]");
                        Visit(sequence.Children[i], shape, $"{path}[{i}]");
                        shape.RemoveAt(shape.Count - 1);
                    }

                    break;
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children)
                    {
                        var name = (key as YamlScalarNode)?.Value ?? "?";
                        shape.Add("<key>");
                        Visit(key, shape, path);
                        shape[^1] = name;
                        Visit(value, shape, path.Length == 0 ? name : $"{path}.{name}");
                        shape.RemoveAt(shape.Count - 1);
                    }

                    break;
            }
        }

        if (root is not null)
        {
            Visit(root, [], "");
        }

        return order.Where(n => includeAll || reached[n].Any(r => r.Kind != SecretKind.None)).Select(n => (n, reached[n])).ToList();
    }

    private static SecretKind Classify(List<string> s) => s switch
    {
        ["api-keys", "[]"] => SecretKind.Whole,
        ["management", "secret-key"] => SecretKind.Whole,
        ["providers", "[]", "api-keys", "[]"] => SecretKind.Whole,
        ["providers", "[]", "oauth", "client-secret"] => SecretKind.Whole,
        ["providers", "[]", "headers", var name] when IsCredentialHeader(name) => SecretKind.Whole,
        ["providers", "[]", "proxy-url"] => SecretKind.UserInfo,
        ["telemetry", "otlp-endpoint"] => SecretKind.UserInfo,
        _ => SecretKind.None,
    };

    private static bool IsCredentialHeader(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower.Contains("auth", StringComparison.Ordinal) || lower.Contains("key", StringComparison.Ordinal) || lower.Contains("token", StringComparison.Ordinal)
            || lower.Contains("secret", StringComparison.Ordinal) || lower.Contains("cookie", StringComparison.Ordinal) || lower.Contains("password", StringComparison.Ordinal);
    }

    /// <summary>Where <c>user:password</c> sits in a URL's authority, or null when it has none.</summary>
    private static (int Start, int Length)? UserInfo(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return null;
        }

        var start = scheme + 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? url.Length : end;
        var at = end > start ? url.LastIndexOf('@', end - 1, end - start) : -1;
        return at > start ? (start, at - start) : null;
    }

    [GeneratedRegex("<redacted:(key-[0-9a-f]{8})>")]
    private static partial Regex MarkerPattern();

    private enum SecretKind
    {
        None,
        Whole,
        UserInfo,
    }

    private sealed record Reach(string Path, SecretKind Kind);
}
