using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Rules;

/// <summary>
/// Model-name globs as the config writes them (<c>*</c> any run, <c>?</c> one character, case-insensitive), compiled
/// once per config load into one interpreted regex (no source generator, no <c>RegexOptions.Compiled</c>: the Native
/// AOT binary runs the same interpreter as the JIT build).
/// </summary>
public sealed class ModelGlobs
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex? _regex;

    private ModelGlobs(IReadOnlyList<string> patterns)
    {
        Patterns = patterns;
        _regex = patterns.Count == 0 ? null : new Regex("^(?:" + string.Join('|', patterns.Select(Translate)) + ")$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
    }

    /// <summary>Matches nothing.</summary>
    public static ModelGlobs None { get; } = new([]);

    public IReadOnlyList<string> Patterns { get; }

    public bool IsEmpty => _regex is null;

    public static ModelGlobs Of(IReadOnlyList<string> patterns) => patterns.Count == 0 ? None : new ModelGlobs(patterns);

    public static ModelGlobs Of(string pattern) => new([pattern]);

    public bool Matches(string model) => _regex?.IsMatch(model) == true;

    /// <summary>Either name of a model: the one the client asked for, or the one the upstream is sent.</summary>
    public bool MatchesEither(string clientModel, string upstreamModel)
        => _regex is not null && (_regex.IsMatch(upstreamModel) || (!string.Equals(clientModel, upstreamModel, StringComparison.Ordinal) && _regex.IsMatch(clientModel)));

    private static string Translate(string glob)
        => Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal);
}
