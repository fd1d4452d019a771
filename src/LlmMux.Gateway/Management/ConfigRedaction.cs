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
            var ranges = SecretRanges(value, reaches);
            if (ranges.Count > 0)
            {
                replacements.Add((node, Redacted(value, ranges)));
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
            secrets.AddRange(SecretRanges(value, reaches).Select(r => value.Substring(r.Start, r.Length)));
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
                errors.Add($"{where}: a redaction marker can only stand where a secret goes (api-keys, client-secret, secret-key, cluster password and encryption-key, header values, the user:password or a credential query value of a URL)");
                continue;
            }

            if (reaches.All(r => r.Kind == SecretKind.Url) && !MarkersWithin(value, UrlSecrets(value)))
            {
                errors.Add($"{where}: a redaction marker can only stand for the user:password part or a credential query value of this URL");
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

    private static bool MarkersWithin(string value, List<(int Start, int Length)> ranges)
        => MarkerPattern().Matches(value).All(m => ranges.Any(r => m.Index >= r.Start && m.Index + m.Length <= r.Start + r.Length));

    /// <summary>The parts of <paramref name="value"/> that are secret: all of it at a secret place, else a URL's secret parts.</summary>
    private static List<(int Start, int Length)> SecretRanges(string value, List<Reach> reaches)
        => value.Length == 0 ? []
            : reaches.Any(r => r.Kind == SecretKind.Whole) ? [(0, value.Length)]
            : reaches.Any(r => r.Kind == SecretKind.Url) ? UrlSecrets(value)
            : [];

    /// <summary><paramref name="value"/> with each of <paramref name="ranges"/> (ascending, disjoint) replaced by its marker.</summary>
    private static string Redacted(string value, List<(int Start, int Length)> ranges)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        var at = 0;
        foreach (var (start, length) in ranges)
        {
            builder.Append(value, at, start - at).Append(Marker(value.Substring(start, length)));
            at = start + length;
        }

        return builder.Append(value, at, value.Length - at).ToString();
    }

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
        // inKey: inside a mapping key, which is never a secret. It names the value (a header name is structure, not a
        // credential); classifying it by its parent's shape made every header name under providers[].headers a secret.
        void Visit(YamlNode node, List<string> shape, string path, bool inKey)
        {
            switch (node)
            {
                case YamlScalarNode scalar:
                    if (!reached.TryGetValue(scalar, out var list))
                    {
                        reached[scalar] = list = [];
                        order.Add(scalar);
                    }

                    list.Add(new Reach(path, inKey ? SecretKind.None : Classify(shape)));
                    break;
                case YamlSequenceNode sequence:
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        shape.Add("[]");
                        Visit(sequence.Children[i], shape, $"{path}[{i}]", inKey);
                        shape.RemoveAt(shape.Count - 1);
                    }

                    break;
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children)
                    {
                        var name = (key as YamlScalarNode)?.Value ?? "?";
                        Visit(key, shape, path, inKey: true);
                        shape.Add(name);
                        Visit(value, shape, path.Length == 0 ? name : $"{path}.{name}", inKey);
                        shape.RemoveAt(shape.Count - 1);
                    }

                    break;
            }
        }

        if (root is not null)
        {
            Visit(root, [], "", inKey: false);
        }

        return order.Where(n => includeAll || reached[n].Any(r => r.Kind != SecretKind.None)).Select(n => (n, reached[n])).ToList();
    }

    private static SecretKind Classify(List<string> s) => s switch
    {
        ["api-keys", "[]"] => SecretKind.Whole,
        ["management", "secret-key"] => SecretKind.Whole,
        ["providers", "[]", "api-keys", "[]"] => SecretKind.Whole,
        ["providers", "[]", "oauth", "client-secret"] => SecretKind.Whole,
        // Every header value: a credential hides under any name (X-Custom: Bearer sk-…), and markers round-trip anyway.
        ["providers", "[]", "headers", _] => SecretKind.Whole,
        ["providers", "[]", "base-url"] => SecretKind.Url,
        ["providers", "[]", "proxy-url"] => SecretKind.Url,
        ["providers", "[]", "oauth", var key] when key.EndsWith("-url", StringComparison.Ordinal) => SecretKind.Url,
        ["telemetry", "otlp-endpoint"] => SecretKind.Url,
        ["cluster", "password"] => SecretKind.Whole,
        ["cluster", "encryption-key"] => SecretKind.Whole,
        ["cluster", "redis"] => SecretKind.Url,
        _ => SecretKind.None,
    };

    /// <summary>
    /// The secret parts of a URL, ascending: the <c>user:password</c> of its authority and the value of each query or
    /// fragment parameter whose name looks like a credential (<c>?key=…</c>, <c>access_token=…</c>, <c>sig=…</c>).
    /// </summary>
    private static List<(int Start, int Length)> UrlSecrets(string url)
    {
        var ranges = new List<(int Start, int Length)>();
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var authority = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authority);
        authorityEnd = authorityEnd < 0 ? url.Length : authorityEnd;
        if (scheme >= 0 && authorityEnd > authority)
        {
            var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - authority);
            if (at > authority)
            {
                ranges.Add((authority, at - authority));
            }
        }

        // Query and fragment both carry name=value pairs (an implicit-flow style #access_token=… too).
        var pairs = url.IndexOfAny(['?', '#'], authorityEnd);
        while (pairs >= 0 && pairs < url.Length)
        {
            var start = pairs + 1;
            var end = url.IndexOfAny(['&', '#'], start);
            end = end < 0 ? url.Length : end;
            var equals = url.IndexOf('=', start, end - start);
            if (equals > start && end > equals + 1 && IsCredentialName(url[start..equals]))
            {
                ranges.Add((equals + 1, end - equals - 1));
            }

            pairs = end < url.Length ? end : -1;
        }

        return ranges;
    }

    /// <summary>Over-matching only costs a marker that round-trips; missing one shows a credential.</summary>
    private static bool IsCredentialName(string name)
    {
        var lower = Uri.UnescapeDataString(name).ToLowerInvariant();
        return lower is "sig" or "code" || lower.EndsWith("sig", StringComparison.Ordinal)
            || CredentialWords.Any(w => lower.Contains(w, StringComparison.Ordinal));
    }

    private static readonly string[] CredentialWords = ["key", "token", "secret", "pass", "pwd", "auth", "signature", "credential", "session"];

    [GeneratedRegex("<redacted:(key-[0-9a-f]{8})>")]
    private static partial Regex MarkerPattern();

    private enum SecretKind
    {
        None,
        Whole,

        /// <summary>A URL: only its user:password and credential query values are secret.</summary>
        Url,
    }

    private sealed record Reach(string Path, SecretKind Kind);
}
