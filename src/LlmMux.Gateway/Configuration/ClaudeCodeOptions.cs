namespace LlmMux.Gateway.Configuration;

/// <summary>
/// <c>claude-code:</c>. Claude Code's model picker (gateway model discovery) keeps only ids that start with
/// <c>claude</c> or <c>anthropic</c>, so models of other providers are offered to it under such names too. The extra
/// names are listed only to Anthropic-shaped callers of <c>GET /v1/models</c>; every dialect can call them.
/// </summary>
public sealed record ClaudeCodeOptions
{
    /// <summary>Extra model name → what it routes to (any name a client could call: <c>provider/model</c>, a listed
    /// model, a <c>routing.aliases</c> name), e.g. <c>claude-gpt-5: openai/gpt-5</c>.</summary>
    public Dictionary<string, string> ModelAliases { get; init; } = [];

    /// <summary>When set (e.g. <c>claude-via-</c>), every listed model whose id does not already start with
    /// <c>claude</c> or <c>anthropic</c> is also offered as this prefix and its id.</summary>
    public string AliasPrefix { get; init; } = "";
}

/// <summary>The rules of <c>claude-code:</c> and <c>routing.session-sources</c>, each error at its key.</summary>
internal static class ClaudeCodeValidation
{
    public static void Validate(LlmMuxOptions options, List<ConfigError> errors)
    {
        var claudeCode = options.ClaudeCode;
        foreach (var (alias, target) in claudeCode.ModelAliases)
        {
            // The alias is named in the message, not the path: a name like claude-x[1m] is no path segment.
            const string path = "claude-code.model-aliases";
            if (!Routing.ClaudeCodeModels.HasClaudeName(alias))
            {
                errors.Add(new(path, $"'{alias}' must start with 'claude' or 'anthropic': Claude Code's model picker ignores every other id"));
            }
            else if (Ingress.ModelName.Problem(alias) is { } problem)
            {
                errors.Add(new(path, $"'{alias}' is not a usable model name: {problem}"));
            }

            // Whether the target resolves depends on the logins of the moment: one that does not is left out of the list.
            if (string.IsNullOrWhiteSpace(target))
            {
                errors.Add(new(path, $"'{alias}' has no target (a model name such as 'openai/gpt-5')"));
            }
        }

        if (claudeCode.AliasPrefix.Length > 0 && !Routing.ClaudeCodeModels.HasClaudeName(claudeCode.AliasPrefix))
        {
            errors.Add(new("claude-code.alias-prefix", $"'{claudeCode.AliasPrefix}' must start with 'claude' or 'anthropic' (e.g. 'claude-via-')"));
        }

        var sources = options.Routing.SessionSources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (Ingress.SessionSources.Problem(sources[i]) is { } problem)
            {
                errors.Add(new($"routing.session-sources[{i}]", problem));
            }
        }
    }
}
