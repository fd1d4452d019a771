using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Rules;

/// <summary><c>payload:</c>: edits of the upstream body, by rule kind (docs/configuration.md, "Rules").</summary>
public sealed record PayloadOptions
{
    /// <summary>Values set only where the body has none.</summary>
    public List<PayloadRule> Default { get; init; } = [];

    /// <summary>Values set whatever the body held.</summary>
    public List<PayloadRule> Override { get; init; } = [];

    /// <summary>Paths removed.</summary>
    public List<PayloadRule> Filter { get; init; } = [];

    public bool IsEmpty => Default.Count == 0 && Override.Count == 0 && Filter.Count == 0;
}

/// <summary>Which requests a payload rule applies to, and its paths. An empty list matches everything.</summary>
/// <remarks><see cref="Params"/> hold the path as written; <c>Json</c> is null for a filter.</remarks>
public sealed record PayloadRule
{
    /// <summary>Model globs, matched against the client's model name and the upstream's.</summary>
    public List<string> Models { get; init; } = [];

    /// <summary>Inbound dialects (<see cref="RuleNames.Inbound"/>).</summary>
    public List<string> Inbound { get; init; } = [];

    /// <summary>Upstream provider types (<c>openai</c>, <c>codex</c>, …).</summary>
    public List<string> Upstream { get; init; } = [];

    public List<PayloadParam> Params { get; init; } = [];
}

/// <param name="Path">The JSON path as written (<see cref="LlmMux.Translation.BodyPath"/>).</param>
/// <param name="Json">The value as JSON text; null for a filter's path.</param>
public sealed record PayloadParam(string Path, string? Json);

/// <summary>One <c>error-rules:</c> item: which failed answers it catches and what it does with them.</summary>
public sealed record ErrorRule
{
    /// <summary>Upstream statuses (400-599) it applies to.</summary>
    public List<int> Status { get; init; } = [];

    /// <summary>Case-insensitive text the error body must contain.</summary>
    public string? Contains { get; init; }

    /// <summary>A pattern the error body must match, compiled when the config is read.</summary>
    public Regex? Regex { get; init; }

    /// <summary>Provider names it is limited to; empty: every provider.</summary>
    public List<string> Providers { get; init; } = [];

    /// <summary><c>stop</c>, <c>next</c> or <c>cooldown</c>.</summary>
    public string Action { get; init; } = "";

    /// <summary>How long <c>cooldown</c> rests the account (or the model on it).</summary>
    public TimeSpan? Cooldown { get; init; }

    /// <summary><c>account</c> (the whole account) or <c>model</c> (this model on this account).</summary>
    public string Scope { get; init; } = RuleNames.ScopeAccount;

    /// <summary>After a cooldown: <c>next</c> (try the next account) or <c>stop</c> (return the error to the client).</summary>
    public string Then { get; init; } = RuleNames.ActionNext;
}

/// <summary>One <c>routing.pools</c> entry: a client model name served by several models, in order or in turn.</summary>
public sealed record ModelPool
{
    /// <summary><c>fill-first</c> (members in order) or <c>round-robin</c> (each request starts at the next member).</summary>
    public string Strategy { get; init; } = RuleNames.PoolFillFirst;

    /// <summary>Members: <c>provider/model</c>, or a model name resolved like any other.</summary>
    public List<string> Models { get; init; } = [];
}

/// <summary>Settings of one account of a provider, keyed in <c>accounts:</c> by its id, label or e-mail.</summary>
public sealed record AccountOptions
{
    public List<string> ExcludedModels { get; init; } = [];
}
