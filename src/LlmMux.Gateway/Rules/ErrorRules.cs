using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Rules;

/// <summary>
/// <c>error-rules:</c>, tried in file order before the built-in classification of a failed answer
/// (<see cref="Forwarding.AttemptClassifier"/>). Only statuses some rule names make the classifier read a body it
/// would otherwise pass on unread.
/// </summary>
public sealed class ErrorRules
{
    private readonly IReadOnlyList<ErrorRule> _rules;
    private readonly HashSet<int> _statuses;

    private ErrorRules(IReadOnlyList<ErrorRule> rules)
    {
        _rules = rules;
        _statuses = rules.SelectMany(r => r.Status).ToHashSet();
    }

    public static ErrorRules None { get; } = new([]);

    public static ErrorRules Build(IReadOnlyList<ErrorRule> rules) => rules.Count == 0 ? None : new ErrorRules(rules);

    /// <summary>Some rule may catch this status from this provider: its body is worth reading.</summary>
    public bool Covers(int status, string provider)
    {
        if (!_statuses.Contains(status))
        {
            return false;
        }

        foreach (var rule in _rules)
        {
            if (AppliesTo(rule, status, provider))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first rule that catches the answer, or null for the built-in classification.</summary>
    public ErrorRule? Match(int status, string provider, string body)
    {
        foreach (var rule in _rules)
        {
            if (AppliesTo(rule, status, provider) && BodyMatches(rule, body))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool AppliesTo(ErrorRule rule, int status, string provider)
        => rule.Status.Contains(status) && (rule.Providers.Count == 0 || rule.Providers.Contains(provider));

    private static bool BodyMatches(ErrorRule rule, string body)
    {
        if (rule.Contains is { } text && !body.Contains(text, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            return rule.Regex?.IsMatch(body) ?? true;
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // a pattern that backtracks for ever on this body does not catch it
        }
    }
}
