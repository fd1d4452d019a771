using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Rules;

namespace LlmMux.Gateway.Configuration;

/// <summary>The references and ranges of the rule keys (docs/configuration.md, "Rules").</summary>
public static partial class ConfigValidator
{
    /// <summary>As long as the longest reset an upstream may ask for (docs/failover.md).</summary>
    private static readonly TimeSpan MaxRuleCooldown = TimeSpan.FromDays(30);

    private static void ValidateRules(LlmMuxOptions options, HashSet<string> providers, List<ConfigError> errors)
    {
        ValidatePayload("payload.default", options.Payload.Default, errors);
        ValidatePayload("payload.override", options.Payload.Override, errors);
        ValidatePayload("payload.filter", options.Payload.Filter, errors);
        for (var i = 0; i < options.ErrorRules.Count; i++)
        {
            ValidateErrorRule(options.ErrorRules[i], $"error-rules[{i}]", providers, errors);
        }

        var routing = options.Routing;
        foreach (var (name, pool) in routing.Pools)
        {
            ValidatePool(name, pool, routing, errors);
        }

        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            NoEmptyGlobs($"providers[{i}].excluded-models", provider.ExcludedModels, errors);
            foreach (var (selector, account) in provider.Accounts)
            {
                if (string.IsNullOrWhiteSpace(selector))
                {
                    errors.Add(new($"providers[{i}].accounts", "an account needs its id, label or e-mail as key"));
                }

                NoEmptyGlobs($"providers[{i}].accounts", account.ExcludedModels, errors);
            }
        }
    }

    private static void ValidatePayload(string path, List<PayloadRule> rules, List<ConfigError> errors)
    {
        var types = ProviderTypes.All.Select(t => t.Type).ToList();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            NoEmptyGlobs($"{path}[{i}].models", rule.Models, errors);
            foreach (var inbound in rule.Inbound.Where(d => !RuleNames.InboundNames.Contains(d)))
            {
                errors.Add(new($"{path}[{i}].inbound", $"unknown dialect '{inbound}' (expected {string.Join(", ", RuleNames.InboundNames)})"));
            }

            foreach (var upstream in rule.Upstream.Where(t => !types.Contains(t)))
            {
                errors.Add(new($"{path}[{i}].upstream", $"unknown provider type '{upstream}' (expected {string.Join(", ", types)})"));
            }
        }
    }

    private static void ValidateErrorRule(ErrorRule rule, string path, HashSet<string> providers, List<ConfigError> errors)
    {
        if (rule.Status.Count == 0)
        {
            errors.Add(new($"{path}.status", "must name at least one status (400-599)"));
        }

        foreach (var status in rule.Status.Where(s => s is < 400 or > 599))
        {
            errors.Add(new($"{path}.status", $"must be an error status 400-599 (a success is never held back to be read), got {status}"));
        }

        if (rule.Contains is not null && rule.Regex is not null)
        {
            errors.Add(new($"{path}.regex", "give 'contains' or 'regex', not both"));
        }

        if (rule.Contains is { Length: 0 })
        {
            errors.Add(new($"{path}.contains", "must not be empty (leave it out to match any body)"));
        }

        foreach (var provider in rule.Providers.Where(p => !providers.Contains(p)))
        {
            errors.Add(new($"{path}.providers", $"names no configured provider: '{provider}'"));
        }

        if (!RuleNames.Actions.Contains(rule.Action))
        {
            errors.Add(new($"{path}.action", $"must be one of {string.Join(", ", RuleNames.Actions)}, got '{rule.Action}'"));
        }

        if (rule.Action == RuleNames.ActionCooldown)
        {
            if (rule.Cooldown is not { } cooldown || cooldown <= TimeSpan.Zero || cooldown > MaxRuleCooldown)
            {
                errors.Add(new($"{path}.cooldown", "action 'cooldown' needs a cooldown longer than zero and at most 30 days (e.g. 10m)"));
            }
        }
        else if (rule.Cooldown is not null)
        {
            errors.Add(new($"{path}.cooldown", $"applies only to action 'cooldown', not '{rule.Action}'"));
        }

        if (!RuleNames.Scopes.Contains(rule.Scope))
        {
            errors.Add(new($"{path}.scope", $"must be one of {string.Join(", ", RuleNames.Scopes)}, got '{rule.Scope}'"));
        }

        if (!RuleNames.Thens.Contains(rule.Then))
        {
            errors.Add(new($"{path}.then", $"must be one of {string.Join(", ", RuleNames.Thens)}, got '{rule.Then}'"));
        }
    }

    private static void ValidatePool(string name, ModelPool pool, RoutingOptions routing, List<ConfigError> errors)
    {
        var path = $"routing.pools.{name}";
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/', StringComparison.Ordinal))
        {
            errors.Add(new("routing.pools", $"a pool name must be a model name without '/', got '{name}'"));
        }

        if (routing.Aliases.ContainsKey(name))
        {
            errors.Add(new(path, $"'{name}' is also a routing alias; a client name means one thing"));
        }

        if (!RuleNames.PoolStrategies.Contains(pool.Strategy))
        {
            errors.Add(new($"{path}.strategy", $"must be one of {string.Join(", ", RuleNames.PoolStrategies)}, got '{pool.Strategy}'"));
        }

        if (pool.Models.Count == 0)
        {
            errors.Add(new($"{path}.models", "a pool needs at least one member"));
        }

        foreach (var member in pool.Models)
        {
            if (string.IsNullOrWhiteSpace(member))
            {
                errors.Add(new($"{path}.models", "a member must not be empty"));
            }
            else if (routing.Pools.ContainsKey(member))
            {
                errors.Add(new($"{path}.models", $"'{member}' is a pool; pools do not nest"));
            }
        }
    }

    private static void NoEmptyGlobs(string path, List<string> globs, List<ConfigError> errors)
    {
        if (globs.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new(path, "a model glob must not be empty"));
        }
    }
}
