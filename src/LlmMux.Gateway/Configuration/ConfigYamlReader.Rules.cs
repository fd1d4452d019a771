using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmMux.Gateway.Rules;
using LlmMux.Translation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Configuration;

/// <summary>The rule keys: <c>payload</c>, <c>error-rules</c>, <c>routing.pools</c>, a provider's <c>accounts</c>.</summary>
/// <remarks>
/// What can only be checked by building it (a JSON path, a regex, a rule value as JSON) is built here, so its error
/// names the line and column of the value at fault; the references between keys are left to the validator.
/// </remarks>
internal static partial class ConfigYamlReader
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly JsonWriterOptions RuleJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static PayloadOptions Payload(YamlNode node)
    {
        var payload = new PayloadOptions();
        foreach (var (key, value) in Entries(node))
        {
            payload = key.Value switch
            {
                "default" => payload with { Default = List(value, n => PayloadRule(n, withValues: true)) },
                "override" => payload with { Override = List(value, n => PayloadRule(n, withValues: true)) },
                "filter" => payload with { Filter = List(value, n => PayloadRule(n, withValues: false)) },
                _ => throw new YamlException(key.Start, key.End, $"unknown key '{key.Value}' in payload (expected default, override, filter)"),
            };
        }

        return payload;
    }

    /// <param name="withValues">default/override: <c>params</c> maps paths to values; filter: it lists paths.</param>
    private static PayloadRule PayloadRule(YamlNode node, bool withValues)
    {
        var rule = new PayloadRule();
        foreach (var (key, value) in Entries(node))
        {
            rule = key.Value switch
            {
                "models" => rule with { Models = OneOrMany(value) },
                "inbound" => rule with { Inbound = OneOrMany(value) },
                "upstream" => rule with { Upstream = OneOrMany(value) },
                "params" => rule with { Params = withValues ? ValueParams(value) : List(value, PathParam) },
                _ => throw UnknownKey(key),
            };
        }

        return rule.Params.Count > 0 ? rule : throw new YamlException(node.Start, node.End, "a payload rule needs 'params'");
    }

    private static List<PayloadParam> ValueParams(YamlNode node)
    {
        if (node is YamlSequenceNode)
        {
            throw new YamlException(node.Start, node.End, "wrong type: default and override params map each path to its value (filter lists paths)");
        }

        if (node is not YamlMappingNode map)
        {
            throw new YamlException(node.Start, node.End, "wrong type: expected a mapping of paths to values");
        }

        // Not Entries(): a null here is a value to set, not a key left empty.
        return map.Children.Select(e => new PayloadParam(
            CheckedPath(e.Key as YamlScalarNode ?? throw new YamlException(e.Key.Start, e.Key.End, "wrong type: a path must be a plain name")),
            JsonOf(e.Value))).ToList();
    }

    private static PayloadParam PathParam(YamlNode node) => node is YamlScalarNode scalar
        ? new PayloadParam(CheckedPath(scalar), null)
        : throw new YamlException(node.Start, node.End, "wrong type: filter params list paths, e.g. [\"tools.0.cache_control\"]");

    private static string CheckedPath(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        return BodyPath.Parse(text, out var error) is not null ? text : throw new YamlException(node.Start, node.End, $"not a JSON path: {error}");
    }

    private static ErrorRule ErrorRule(YamlNode node)
    {
        var rule = new ErrorRule();
        foreach (var (key, value) in Entries(node))
        {
            rule = key.Value switch
            {
                "status" => rule with { Status = value is YamlSequenceNode ? List(value, Int) : [Int(value)] },
                "contains" => rule with { Contains = String(value) },
                "regex" => rule with { Regex = Pattern(value) },
                "providers" => rule with { Providers = OneOrMany(value) },
                "action" => rule with { Action = String(value) },
                "cooldown" => rule with { Cooldown = Duration(key, value) },
                "scope" => rule with { Scope = String(value) },
                "then" => rule with { Then = String(value) },
                _ => throw UnknownKey(key),
            };
        }

        return rule;
    }

    /// <summary>Compiled once, here: a pattern that does not compile is an error at its own line.</summary>
    private static Regex Pattern(YamlNode node)
    {
        var text = String(node);
        try
        {
            return new Regex(text, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new YamlException(node.Start, node.End, $"not a valid regular expression: {ex.Message}");
        }
    }

    /// <summary>A pool is a list of members, or <c>{ strategy, models }</c>.</summary>
    private static Dictionary<string, ModelPool> Pools(YamlNode node)
    {
        var pools = new Dictionary<string, ModelPool>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(node))
        {
            var pool = new ModelPool();
            if (value is YamlSequenceNode)
            {
                pool = pool with { Models = Strings(value) };
            }
            else
            {
                foreach (var (poolKey, poolValue) in Entries(value))
                {
                    pool = poolKey.Value switch
                    {
                        "strategy" => pool with { Strategy = String(poolValue) },
                        "models" => pool with { Models = Strings(poolValue) },
                        _ => throw UnknownKey(poolKey),
                    };
                }
            }

            pools[key.Value ?? ""] = pool;
        }

        return pools;
    }

    private static Dictionary<string, AccountOptions> Accounts(YamlNode node)
    {
        var accounts = new Dictionary<string, AccountOptions>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(node))
        {
            var account = new AccountOptions();
            foreach (var (accountKey, accountValue) in Entries(value))
            {
                account = accountKey.Value switch
                {
                    "excluded-models" => account with { ExcludedModels = Strings(accountValue) },
                    _ => throw UnknownKey(accountKey),
                };
            }

            accounts[key.Value ?? ""] = account;
        }

        return accounts;
    }

    /// <summary>A single value or a list of them.</summary>
    private static List<string> OneOrMany(YamlNode node) => node is YamlScalarNode ? [String(node)] : Strings(node);

    /// <summary>
    /// A YAML value as JSON text: mappings and lists as objects and arrays; a plain scalar by the YAML 1.2 core schema
    /// (<c>null</c>/<c>~</c>, <c>true</c>/<c>false</c>, numbers), anything else, and every quoted scalar, a string.
    /// </summary>
    private static string JsonOf(YamlNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, RuleJson))
        {
            WriteJson(w, node);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteJson(Utf8JsonWriter w, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    w.WritePropertyName(key is YamlScalarNode { Value: { } name } ? name : throw new YamlException(key.Start, key.End, "wrong type: a key must be a plain name"));
                    WriteJson(w, value);
                }

                w.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                w.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    WriteJson(w, item);
                }

                w.WriteEndArray();
                break;
            case YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: var text }:
                WritePlainScalar(w, text ?? "");
                break;
            case YamlScalarNode scalar:
                w.WriteStringValue(scalar.Value ?? "");
                break;
            default:
                throw new YamlException(node.Start, node.End, "wrong type: expected a value, a list or a mapping");
        }
    }

    private static void WritePlainScalar(Utf8JsonWriter w, string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                w.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                w.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                w.WriteBooleanValue(false);
                return;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            w.WriteNumberValue(whole);
        }
        else if (YamlFloat().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            w.WriteNumberValue(real);
        }
        else
        {
            w.WriteStringValue(text);
        }
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlFloat();
}
