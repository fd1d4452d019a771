using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Removes key-shaped substrings from upstream error texts before they reach a client or a log: OpenAI's 401 quotes
/// part of the key (<c>sk-proj-****abcd</c>) and some OpenAI-compatible servers echo all of it.
/// </summary>
/// <remarks>
/// The pattern must stay linear on hostile text without a match timeout. Each alternative either cannot fail once its
/// prefix matched, or fails within a fixed number of characters, or (the JWT, whose dots may be missing) may start only
/// where a run of its characters starts, so no run is rescanned from every position inside it.
/// </remarks>
internal static partial class SecretScrubber
{
    private const string Redacted = "[redacted]";

    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? text : KeyShaped().Replace(text, static m =>
            m.Groups["keep"] is { Success: true } keep ? keep.Value + Redacted : Redacted);
    }

    [GeneratedRegex("""
        (?<![A-Za-z0-9_*-])sk-[A-Za-z0-9_*-]{6,}
        | (?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{20,}
        | (?<![A-Za-z0-9_.-])ya29\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*
        | (?<![A-Za-z0-9_])gh[opusr]_[A-Za-z0-9]{20,}
        | (?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*
        | (?<keep>(?i:\bbearer)\s+)[A-Za-z0-9._~+/-]+=*
        | (?<keep>(?i:\b(?:api[_-]?key|key|access_token|refresh_token|id_token|client_secret|token))=)[^&\s"'<>,;)]+
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex KeyShaped();
}
